"""How the old loader fingerprinted curated rows (content_hash), frozen for the migrations
that replace it with curated_values (pathways 0002, resources 0003, applications 0005), both
ways: `convert` forwards, `content_hash` when they are reversed. Not a migration."""

import datetime
import hashlib
import json

EDITED = {"edited before values were recorded": True}  # equals no field value
EDITED_HASH = "edited since the last load"  # equals no sha256 hex digest


def as_json(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def legacy_hash(values):
    text = json.dumps(values, sort_keys=True, default=as_json)
    return hashlib.sha256(text.encode()).hexdigest()


def convert(row, fields, extra=None):
    values = {name: getattr(row, name) for name in fields} | (extra or {})
    if not row.content_hash:
        return {}  # created in the admin
    if legacy_hash(values) != row.content_hash:
        return {name: EDITED for name in values}
    return {name: as_json(value) for name, value in values.items()}


def content_hash(row, fields, extra=None):
    """The reverse of `convert`: the fingerprint the old loader would have left on `row`.

    A row still as loaded gets the hash of its values, so the old loader can update it and
    `convert` gives back its values when rolled forward; a row a curator edited gets a value
    that matches no hash, so both keep it as edited; a row created in the admin gets none.
    """
    loaded = row.curated_values or {}
    if not loaded:
        return ""
    values = {name: getattr(row, name) for name in fields} | (extra or {})
    if any(name not in loaded or loaded[name] != as_json(v) for name, v in values.items()):
        return EDITED_HASH
    return legacy_hash(values)
