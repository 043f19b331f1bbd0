"""Load the shipped fee schedules and cost estimates from applications/content/costs.toml.

Called by `manage.py load_curated_content` (which picks up every app's `curated.load`).
Rows are matched by natural key (system + season; slug) inside one transaction; a row
edited since it was loaded (its values no longer match its fingerprint) is kept unless
`force=True`. Idempotent: a second run changes nothing.
"""

import datetime
import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from pathways.curated import ContentError, Tally, sync_row

from .models import CostEstimate, FeeSchedule, SignalAllowance

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "costs.toml"
SCHEDULE_KEYS = {"system", "season"}
SCHEDULE_FIELDS = [
    "tier_size",
    "first_fee",
    "later_fee",
    "per",
    "source_name",
    "source_url",
    "confidence",
    "last_reviewed",
    "notes",
]
ESTIMATE_FIELDS = [
    "label",
    "category",
    "amount",
    "unit",
    "as_of",
    "confidence",
    "source_name",
    "source_url",
]

# No allowance ships: the sourced content holds no signal figures. The format is ready.
ALLOWANCE_FIELDS = ["gold", "silver", "source_url", "verified", "last_reviewed"]


def check_keys(entry: dict[str, Any], expected: set[str], name: str) -> None:
    if missing := sorted(expected - entry.keys()):
        raise ContentError(f"{name}: missing {', '.join(missing)}.")
    if unknown := sorted(entry.keys() - expected):
        raise ContentError(f"{name}: unknown key(s) {', '.join(unknown)}.")


def load(*, force: bool, path: Path = CONTENT_FILE) -> str:
    with path.open("rb") as file:
        content = tomllib.load(file)
    schedules, estimates = Tally("ERAS fee schedules"), Tally("cost estimates")
    allowances = Tally("signal allowances")
    with transaction.atomic():
        for entry in content.get("fee_schedule", []):
            name = f"{path.name}: fee schedule {entry.get('system')} {entry.get('season')}"
            check_keys(entry, SCHEDULE_KEYS | set(SCHEDULE_FIELDS), name)
            if not isinstance(entry["last_reviewed"], datetime.date):
                raise ContentError(f"{name}: last_reviewed must be a TOML date.")
            lookup = {key: entry[key] for key in SCHEDULE_KEYS}
            row = FeeSchedule.objects.filter(**lookup).first()
            values = {field: entry[field] for field in SCHEDULE_FIELDS}
            sync_row(FeeSchedule, row, lookup, values, {}, schedules, name, force)
        for entry in content.get("estimate", []):
            name = f"{path.name}: estimate {entry.get('slug')}"
            check_keys(entry, {"slug", *ESTIMATE_FIELDS}, name)
            row = CostEstimate.objects.filter(slug=entry["slug"]).first()
            values = {field: entry[field] for field in ESTIMATE_FIELDS}
            sync_row(CostEstimate, row, {"slug": entry["slug"]}, values, {}, estimates, name, force)
        for entry in content.get("signal_allowance", []):
            name = f"{path.name}: signal allowance {entry.get('cycle')} {entry.get('specialty')}"
            check_keys(entry, {"cycle", "specialty", *ALLOWANCE_FIELDS}, name)
            lookup = {"cycle": entry["cycle"], "specialty": entry["specialty"]}
            row = SignalAllowance.objects.filter(**lookup).first()
            values = {field: entry[field] for field in ALLOWANCE_FIELDS}
            sync_row(SignalAllowance, row, lookup, values, {}, allowances, name, force)
    return f"{schedules}. {estimates}. {allowances}."
