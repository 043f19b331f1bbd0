"""The one loader for curated content shipped as TOML: milestones, cycles, rules, resources.

`manage.py load_curated_content` calls `load(force=...)` here, then the same function of
every other app that has a `curated` module (resources). Every table goes through
`read_table` (an unknown or missing key is an error, never silently ignored) and every row
through `sync` (idempotent, a curator's edit is kept).

How a curator's edit is recognised: each loaded row records the values it was loaded with
in `curated_values` (JSON). When a field's current value differs from the recorded one, a
curator has changed it since (admin, CSV import, bulk action): the row is "kept as edited"
and left alone unless `force` is set. A row with nothing recorded was created in the admin
and is kept too. A field the content files did not have at the last load (a field added in a
later release) is not an edit: it is filled in from the files even on a kept row.
"""

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from pathways import curated_cache
from pathways.cycles import default_dates
from pathways.models import (
    EntryRestriction,
    MatchCycle,
    Milestone,
    Prerequisite,
    Rule,
    find_cycle,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
KEPT = "kept as edited"

MILESTONE_FIELDS = [
    "title",
    "category",
    "order",
    "summary",
    "explanation",
    "source_url",
    "last_reviewed",
    "needs_review",
    "records",
    "counts_attempts",
    "applies",
    "deadline",
    "deadline_note",
    "records_expiry",
    "passing_score_rule",
    "ecfmg_exam",
    "reported_to_nrmp",
    "lead_time_rule",
    "lead_time_applies",
    "lead_time_note",
]
CYCLE_FIELDS = [
    *MatchCycle.DATE_FIELDS,
    "verified",
    "source_url",
    "last_reviewed",
    "needs_review",
    "notes",
]
RULE_FIELDS = ["value", "note", "source_url", "last_reviewed", "needs_review"]
RESTRICTION_FIELDS = [
    "kind",
    "j_visas_suspended",
    "h_visas_suspended",
    "measure",
    "note",
    "ends_on",
    "source_url",
    "last_reviewed",
    "needs_review",
]


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
) -> tuple[models.Model, bool]:
    """Create or update one curated row; returns (row, whether the caller must set `related`).

    `related` are many-to-many values (prerequisites, tags) that take part in the edit check;
    the caller writes them when this returns True. `current_related(row)` reads them back.
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
    for name_, value in values.items():
        setattr(row, name_, value)
    row.curated_values = shipped
    validate(row, name)
    row.save()
    tally.updated += 1
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


def requires_of(milestone: Milestone) -> dict[str, list[list[str]]]:
    rows = Prerequisite.objects.filter(milestone=milestone).values_list("required__slug", "kind")
    return {"requires": sorted([slug, kind] for slug, kind in rows)}


def load_milestones(force: bool) -> Tally:
    tally = Tally("milestones")
    entries = read_table(
        CONTENT_DIR / "milestones.toml",
        "milestone",
        required={"slug", "title", "category", "summary", "source_url", "last_reviewed"},
        optional={*MILESTONE_FIELDS, "requires"},
    )
    known = {m.slug: m for m in Milestone.objects.all()}
    shipped_slugs = {entry["slug"] for entry in entries} | set(known)
    to_link: dict[str, list[list[str]]] = {}
    for entry in entries:
        slug = entry["slug"]
        values = {n: entry.get(n, default_of(Milestone, n)) for n in MILESTONE_FIELDS}
        requires = sorted(
            [req["slug"], req.get("kind", Prerequisite.Kind.HARD)]
            for req in entry.get("requires", [])
        )
        for required_slug, _ in requires:
            if required_slug not in shipped_slugs:
                raise ContentError(f"{slug}: requires unknown milestone {required_slug!r}")
        row, changed = sync(
            Milestone,
            known.get(slug),
            lookup={"slug": slug},
            values=values,
            related={"requires": requires},
            current_related=requires_of,
            tally=tally,
            name=slug,
            force=force,
        )
        known[slug] = row
        if changed:
            to_link[slug] = requires
    for slug, requires in to_link.items():
        milestone = known[slug]
        Prerequisite.objects.filter(milestone=milestone).delete()
        Prerequisite.objects.bulk_create(
            Prerequisite(milestone=milestone, required=known[required], kind=kind)
            for required, kind in requires
        )
    if cycle := find_cycle(Prerequisite.objects.values_list("milestone", "required")):
        slugs = dict(Milestone.objects.filter(pk__in=cycle).values_list("pk", "slug"))
        path = " -> ".join(slugs[pk] for pk in cycle)
        raise ContentError(f"The prerequisites form a cycle: {path}")
    return tally


def load_cycles(force: bool) -> Tally:
    tally = Tally("Match cycles")
    entries = read_table(
        CONTENT_DIR / "cycles.toml",
        "cycle",
        required={"year"},
        optional={*CYCLE_FIELDS, "proposed"},
    )
    known = {c.year: c for c in MatchCycle.objects.all()}
    for entry in entries:
        year = entry["year"]
        proposed = default_dates(year) if entry.get("proposed") else {}
        values = {n: entry.get(n, proposed.get(n, default_of(MatchCycle, n))) for n in CYCLE_FIELDS}
        values["verified"] = verified_dates(year, values, entry.get("verified", {}))
        sync(
            MatchCycle,
            known.get(year),
            lookup={"year": year},
            values=values,
            tally=tally,
            name=str(year),
            force=force,
        )
    return tally


def verified_dates(year: int, values: dict[str, Any], checks: dict[str, dict]) -> dict:
    """`[cycle.verified]` of cycles.toml: per date, the official page and the day checked."""
    verified = {}
    for name, check in checks.items():
        if name not in MatchCycle.DATE_FIELDS or values.get(name) is None:
            raise ContentError(f"cycles.toml: {year}: verified {name!r} is not a date it has.")
        if sorted(check) != ["checked_on", "source_url"]:
            raise ContentError(
                f"cycles.toml: {year}: verified {name} needs source_url and checked_on."
            )
        verified[name] = {
            "date": as_json(values[name]),
            "source_url": check["source_url"],
            "checked_on": as_json(check["checked_on"]),
        }
    return verified


def load_rules(force: bool) -> Tally:
    tally = Tally("rules")
    entries = read_table(
        CONTENT_DIR / "rules.toml",
        "rule",
        required={"key", "value"},
        optional={"effective_from", *RULE_FIELDS},
    )
    known = {(r.key, r.effective_from): r for r in Rule.objects.all()}
    for entry in entries:
        key, since = entry["key"], entry.get("effective_from")
        values = {n: entry.get(n, default_of(Rule, n)) for n in RULE_FIELDS}
        sync(
            Rule,
            known.get((key, since)),
            lookup={"key": key, "effective_from": since},
            values=values,
            tally=tally,
            name=f"{key}@{since or 'initial'}",
            force=force,
        )
    return tally


def load_restrictions(force: bool) -> Tally:
    """Entry restrictions by nationality, keyed by (country, effective_from)."""
    tally = Tally("entry restrictions")
    entries = read_table(
        CONTENT_DIR / "entry_restrictions.toml",
        "restriction",
        required={"country", "kind", "j_visas_suspended", "h_visas_suspended", "measure"},
        optional={"effective_from", *RESTRICTION_FIELDS},
    )
    known = {(r.country.code, r.effective_from): r for r in EntryRestriction.objects.all()}
    for entry in entries:
        country, since = entry["country"], entry.get("effective_from")
        values = {n: entry.get(n, default_of(EntryRestriction, n)) for n in RESTRICTION_FIELDS}
        sync(
            EntryRestriction,
            known.get((country, since)),
            lookup={"country": country, "effective_from": since},
            values=values,
            tally=tally,
            name=f"{country}@{since}",
            force=force,
        )
    return tally


@transaction.atomic
def load(*, force: bool = False) -> str:
    """Load milestones, prerequisites, cycles, rules and entry restrictions; a summary."""
    tallies = [
        load_milestones(force),
        load_cycles(force),
        load_rules(force),
        load_restrictions(force),
    ]
    curated_cache.forget()  # bulk writes send no signals
    return "pathways: " + "; ".join(str(t) for t in tallies)
