"""The pathways tables of the curated content: milestones, prerequisites, cycles, rules.

`manage.py load_curated_content` calls `load(force=...)` here, then the same function of
every other app that has a `curated` module (resources, applications). Every table goes
through the generic loader of lib/toml_sync.py (`read_table`, `sync`: strict about keys,
idempotent, a curator's edit kept unless `force`).

A release that moves a date tells members: when `sync` changes a cycle date, a rule or a
milestone's deadline, the change is recorded as a DateChange by the same functions a
curator's edit in the admin goes through (pathways/history.py), with no curator and the
entry's `change_reason` (e.g. "corrected: NRMP's calendar"); the dashboard and the
reminder emails then tell each member it affects, once. A first load records nothing (a
new cycle or milestone is not a change of anything members were told).
"""

from pathlib import Path
from typing import Any

from django.db import transaction

from lib.toml_sync import ContentError, Tally, as_json, default_of, read_table, sync
from pathways import curated_cache, history
from pathways.cycles import default_dates
from pathways.models import (
    DateChange,
    EntryRestriction,
    MatchCycle,
    Milestone,
    Prerequisite,
    Rule,
    find_cycle,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Why an entry's values changed in this release, shown to members with each change it makes;
# a cycle may give a date its own reason in `[cycle.change_reasons]` (field = reason).
REASON_KEY = "change_reason"
FIELD_REASONS_KEY = "change_reasons"
DEFAULT_REASON = "updated in a content release"
REASON_MAX = DateChange._meta.get_field("reason").max_length

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


def requires_of(milestone: Milestone) -> dict[str, list[list[str]]]:
    rows = Prerequisite.objects.filter(milestone=milestone).values_list("required__slug", "kind")
    return {"requires": sorted([slug, kind] for slug, kind in rows)}


def load_milestones(force: bool) -> Tally:
    tally = Tally("milestones")
    entries = read_table(
        CONTENT_DIR / "milestones.toml",
        "milestone",
        required={"slug", "title", "category", "summary", "source_url", "last_reviewed"},
        optional={*MILESTONE_FIELDS, "requires", REASON_KEY},
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
            on_change=recorder(history.record_milestone, entry),
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
        optional={*CYCLE_FIELDS, "proposed", REASON_KEY, FIELD_REASONS_KEY},
    )
    known = {c.year: c for c in MatchCycle.objects.all()}
    for entry in entries:
        year = entry["year"]
        proposed = default_dates(year) if entry.get("proposed") else {}
        values = {n: entry.get(n, proposed.get(n, default_of(MatchCycle, n))) for n in CYCLE_FIELDS}
        values["verified"] = verified_dates(year, values, entry.get("verified", {}))
        for name in entry.get(FIELD_REASONS_KEY, {}):
            if name not in MatchCycle.DATE_FIELDS:
                raise ContentError(f"cycles.toml: {year}: change_reasons: {name!r} is not a date.")
        sync(
            MatchCycle,
            known.get(year),
            lookup={"year": year},
            values=values,
            tally=tally,
            name=str(year),
            force=force,
            on_change=recorder(history.record_cycle, entry),
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
        optional={"effective_from", *RULE_FIELDS, REASON_KEY},
    )
    known = {(r.key, r.effective_from): r for r in Rule.objects.all()}
    keys_before = {key for key, _ in known}
    for entry in entries:
        key, since = entry["key"], entry.get("effective_from")
        values = {n: entry.get(n, default_of(Rule, n)) for n in RULE_FIELDS}
        record = recorder(history.record_rule, entry)
        row = known.get((key, since))
        row, _ = sync(
            Rule,
            row,
            lookup={"key": key, "effective_from": since},
            values=values,
            tally=tally,
            name=f"{key}@{since or 'initial'}",
            force=force,
            on_change=record,
        )
        if (key, since) not in known and key in keys_before:
            record(None, row)  # a new dated value of a rule members already follow
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


def recorder(record, entry: dict):
    """`sync`'s on_change: record the change as the admin does, with the entry's reason."""
    reason = entry.get(REASON_KEY) or DEFAULT_REASON
    per_field = entry.get(FIELD_REASONS_KEY, {})
    for text in (reason, *per_field.values()):
        if not isinstance(text, str) or len(text) > REASON_MAX:
            raise ContentError(f"{REASON_KEY}: {text!r} is not a text of {REASON_MAX} or fewer.")

    def on_change(old, new) -> None:
        if per_field:
            record(old, new, None, reason=reason, field_reasons=per_field)
        else:
            record(old, new, None, reason=reason)

    return on_change


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
