"""The generic loader for curated content shipped as TOML: read a table, sync one row.

Used by every app's `curated` module (pathways, resources, applications); it knows no app.
`read_table` refuses unknown and missing keys (never silently ignored) and `sync` creates or
updates one row idempotently, keeping a curator's edit.

How a curator's edit is recognised: each loaded row records the values it was loaded with
in `curated_values` (JSON). When a field's current value differs from the recorded one, a
curator has changed it since (admin, CSV import, bulk action): the row is "kept as edited"
and left alone unless `force` is set. A row with nothing recorded was created in the admin
and is kept too. A field the content files did not have at the last load (a field added in a
later release) is not an edit: it is filled in from the files even on a kept row.

When `sync` changes an existing row's values it calls `on_change(old, new)`, with `old` a copy
of the row as it was: the caller records what moved (pathways records a DateChange, as a
curator's edit in the admin does). A field filled in for the first time (new in the files)
is not a change and does not show in `old` as one.
"""

import copy
import datetime
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

KEPT = "kept as edited"


class ContentError(Exception):
    """The content files hold a key or a value the models refuse."""


@dataclass
class Tally:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # rows kept as edited by a curator

    def __str__(self) -> str:
        text = f"{self.label}: {self.created} created, {self.updated} updated, "
        text += f"{self.unchanged} unchanged"
        if self.kept:
            text += f", {len(self.kept)} {KEPT} ({', '.join(self.kept)}; --force overwrites)"
        return text


def as_json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {name: as_json(value) for name, value in values.items()}


def read_table(path: Path, table: str, *, required: set[str], optional: set[str]) -> list[dict]:
    """The entries of `[[table]]` in a TOML file, refusing unknown and missing keys."""
    try:
        with path.open("rb") as file:
            entries = tomllib.load(file).get(table, [])
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{path.name}: not valid TOML: {error}") from error
    allowed = required | optional
    for number, entry in enumerate(entries, 1):
        name = entry.get("slug") or entry.get("year") or entry.get("key") or f"entry {number}"
        if missing := sorted(required - entry.keys()):
            raise ContentError(f"{path.name}: {name}: missing {', '.join(missing)}.")
        if unknown := sorted(entry.keys() - allowed):
            raise ContentError(f"{path.name}: {name}: unknown key(s) {', '.join(unknown)}.")
    return entries


def default_of(model: type[models.Model], name: str) -> Any:
    model_field = model._meta.get_field(name)
    if model_field.has_default():
        return model_field.get_default()
    return None if model_field.null else ""


OnChange = Callable[[models.Model, models.Model], Any]


def sync(
    model: type[models.Model],
    row: models.Model | None,
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    tally: Tally,
    name: str,
    force: bool,
    related: dict[str, Any] | None = None,
    current_related=None,
    on_change: OnChange | None = None,
) -> tuple[models.Model, bool]:
    """Create or update one curated row; returns (row, whether the caller must set `related`).

    `related` are many-to-many values (prerequisites, tags) that take part in the edit check;
    the caller writes them when this returns True. `current_related(row)` reads them back.
    `on_change(old, new)` is called after an existing row's values were updated and saved.
    """
    related = related or {}
    shipped = snapshot({**values, **related})
    if row is None:
        row = model(**lookup, **values, curated_values=shipped)
        validate(row, name)
        row.save()
        tally.created += 1
        return row, True
    current = snapshot({n: getattr(row, n) for n in values})
    if related:
        current |= current_related(row)
    loaded = row.curated_values or {}
    if current == shipped:
        if loaded != shipped:
            row.curated_values = shipped
            row.save(update_fields=["curated_values"])
        tally.unchanged += 1
        return row, False
    edited = not loaded or any(n in loaded and current[n] != loaded[n] for n in current)
    if edited and not force:
        tally.kept.append(name)
        fill_new_fields(row, values, loaded, name)
        return row, False
    old = copy.copy(row)
    for name_, value in values.items():
        setattr(row, name_, value)
        if loaded and name_ not in loaded:  # new in the files: filled in, not changed
            setattr(old, name_, value)
    row.curated_values = shipped
    validate(row, name)
    row.save()
    tally.updated += 1
    if on_change is not None:
        on_change(old, row)
    return row, True


def fill_new_fields(row: models.Model, values: dict[str, Any], loaded: dict, name: str) -> None:
    """On a kept row, set the fields the files had no value for at the last load."""
    if not loaded:
        return  # created in the admin: nothing of ours to complete
    new = {n: v for n, v in values.items() if n not in loaded}
    if not new:
        return
    for name_, value in new.items():
        setattr(row, name_, value)
    row.curated_values = {**loaded, **snapshot(new)}
    validate(row, name)
    row.save(update_fields=[*new, "curated_values"])


def validate(row: models.Model, name: str) -> None:
    try:
        row.full_clean(exclude=["curated_values"], validate_unique=False)
    except ValidationError as error:
        raise ContentError(f"{name}: {error.message_dict}") from error
