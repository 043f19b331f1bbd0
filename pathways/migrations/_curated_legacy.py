"""How the old loader fingerprinted curated rows (content_hash), frozen for the migrations
that replace it with curated_values (pathways 0002, resources 0003). Not a migration."""

import datetime
import hashlib
import json

EDITED = {"edited before values were recorded": True}  # equals no field value


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
