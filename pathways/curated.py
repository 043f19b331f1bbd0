"""Load the curated roadmap content shipped in pathways/content/*.toml.

Idempotent: milestones are matched by slug, cycles by year, rules by (key, effective_from).
Each loaded row keeps a fingerprint (content_hash) of the values it was loaded with. When a
row's current values no longer match its fingerprint, a curator has edited it in the admin:
the row is left alone (and named in the summary) unless `force` is set.

Called by `manage.py load_curated_content`, which also calls `<app>.curated.load` of other apps.
"""

import datetime
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pathways.cycles import default_dates
from pathways.models import MatchCycle, Milestone, Prerequisite, Rule

CONTENT_DIR = Path(__file__).resolve().parent / "content"

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
]
CYCLE_DATE_FIELDS = list(default_dates(2026))
CYCLE_FIELDS = [*CYCLE_DATE_FIELDS, "source_url", "last_reviewed", "needs_review", "notes"]
RULE_FIELDS = ["value", "note", "source_url", "last_reviewed", "needs_review"]


class ContentError(Exception):
    """The content files hold a value the models refuse."""


@dataclass
class Tally:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # curator-edited rows left alone

    def __str__(self) -> str:
        text = f"{self.label}: {self.created} created, {self.updated} updated, "
        text += f"{self.unchanged} unchanged"
        if self.kept:
            text += f", {len(self.kept)} kept as edited by a curator ({', '.join(self.kept)})"
        return text


def fingerprint(values: dict[str, Any]) -> str:
    def default(value: Any) -> str:
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(value)

    text = json.dumps(values, sort_keys=True, default=default)
    return hashlib.sha256(text.encode()).hexdigest()


def read(name: str) -> dict[str, Any]:
    with (CONTENT_DIR / name).open("rb") as file:
        return tomllib.load(file)


def sync_row(model, row, lookup: dict, values: dict, extra: dict, tally: Tally, name: str, force):
    """Create or update one row; `extra` is hashed too but set by the caller (prerequisites)."""
    new_hash = fingerprint({**values, **extra})
    if row is None:
        row = model(**lookup, **values, content_hash=new_hash)
        validate(row, name)
        row.save()
        tally.created += 1
        return row, True
    current = {name_: getattr(row, name_) for name_ in values}
    current_hash = fingerprint({**current, **current_extra(row, extra)})
    edited = current_hash != row.content_hash
    if edited and not force:
        tally.kept.append(name)
        return row, False
    if current_hash == new_hash:
        if row.content_hash != new_hash:
            row.content_hash = new_hash
            row.save(update_fields=["content_hash"])
        tally.unchanged += 1
        return row, False
    for name_, value in values.items():
        setattr(row, name_, value)
    row.content_hash = new_hash
    validate(row, name)
    row.save()
    tally.updated += 1
    return row, True


def current_extra(row, extra: dict) -> dict:
    if "requires" in extra:
        return {"requires": requires_of(row)}
    return {}


def requires_of(milestone: Milestone) -> list[list[str]]:
    rows = Prerequisite.objects.filter(milestone=milestone).values_list("required__slug", "kind")
    return sorted([slug, kind] for slug, kind in rows)


def validate(row, name: str) -> None:
    try:
        row.full_clean(exclude=["content_hash"], validate_unique=False)
    except ValidationError as error:
        raise ContentError(f"{name}: {error.message_dict}") from error


def load_milestones(force: bool) -> Tally:
    tally = Tally("milestones")
    entries = read("milestones.toml").get("milestone", [])
    known = {m.slug: m for m in Milestone.objects.all()}
    shipped_slugs = {entry["slug"] for entry in entries} | set(known)
    to_link: dict[str, list[list[str]]] = {}
    for entry in entries:
        slug = entry["slug"]
        values = {name: entry.get(name, "") for name in MILESTONE_FIELDS}
        requires = sorted(
            [req["slug"], req.get("kind", "hard")] for req in entry.get("requires", [])
        )
        for required_slug, _ in requires:
            if required_slug not in shipped_slugs:
                raise ContentError(f"{slug}: requires unknown milestone {required_slug!r}")
        row, changed = sync_row(
            Milestone,
            known.get(slug),
            {"slug": slug},
            values,
            {"requires": requires},
            tally,
            slug,
            force,
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
    check_acyclic()
    return tally


def check_acyclic() -> None:
    edges: dict[int, list[int]] = {}
    for milestone_id, required_id in Prerequisite.objects.values_list("milestone", "required"):
        edges.setdefault(milestone_id, []).append(required_id)
    done: set[int] = set()
    for start in edges:
        path: set[int] = set()
        stack: list[tuple[int, bool]] = [(start, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                path.discard(node)
                done.add(node)
                continue
            if node in path:
                slug = Milestone.objects.get(pk=node).slug
                raise ContentError(f"The prerequisites form a cycle through {slug!r}")
            if node in done:
                continue
            path.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in edges.get(node, ()))


def load_cycles(force: bool) -> Tally:
    tally = Tally("Match cycles")
    known = {c.year: c for c in MatchCycle.objects.all()}
    for entry in read("cycles.toml").get("cycle", []):
        year = entry["year"]
        dates = default_dates(year) if entry.get("proposed") else {}
        values = {name: entry.get(name, dates.get(name)) for name in CYCLE_DATE_FIELDS}
        values |= {
            "source_url": entry.get("source_url", ""),
            "last_reviewed": entry.get("last_reviewed"),
            "needs_review": entry.get("needs_review", False),
            "notes": entry.get("notes", ""),
        }
        sync_row(MatchCycle, known.get(year), {"year": year}, values, {}, tally, str(year), force)
    return tally


def load_rules(force: bool) -> Tally:
    tally = Tally("rules")
    known = {(r.key, r.effective_from): r for r in Rule.objects.all()}
    for entry in read("rules.toml").get("rule", []):
        key, since = entry["key"], entry.get("effective_from")
        values = {
            "value": entry["value"],
            "note": entry.get("note", ""),
            "source_url": entry.get("source_url", ""),
            "last_reviewed": entry.get("last_reviewed"),
            "needs_review": entry.get("needs_review", False),
        }
        name = f"{key}@{since or 'initial'}"
        lookup = {"key": key, "effective_from": since}
        sync_row(Rule, known.get((key, since)), lookup, values, {}, tally, name, force)
    return tally


@transaction.atomic
def load(*, force: bool = False) -> str:
    """Load milestones, prerequisites, cycles and rules; return a one-line summary."""
    tallies = [load_milestones(force), load_cycles(force), load_rules(force)]
    return "pathways: " + "; ".join(str(t) for t in tallies)
