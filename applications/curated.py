"""Load the shipped fee schedules and cost estimates from applications/content/costs.toml.

Called by `manage.py load_curated_content` (which picks up every app's `curated.load`),
through the generic loader of lib/toml_sync.py: rows matched by natural key (system +
season; slug; cycle + specialty), unknown and missing keys refused, a row a curator or
superuser has edited since it was loaded (its `curated_values` no longer match) kept unless
`force=True`. Idempotent: a second run changes nothing.
"""

from pathlib import Path

from django.db import transaction

from lib.toml_sync import Tally, read_table, sync

from .models import CostEstimate, FeeSchedule, SignalAllowance

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "costs.toml"
SCHEDULE_KEYS = ["system", "season"]
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
ALLOWANCE_KEYS = ["cycle", "specialty"]
ALLOWANCE_FIELDS = ["gold", "silver", "source_url", "verified", "last_reviewed"]

TABLES = [
    # (TOML table, model, natural key, fields, label)
    ("fee_schedule", FeeSchedule, SCHEDULE_KEYS, SCHEDULE_FIELDS, "ERAS fee schedules"),
    ("estimate", CostEstimate, ["slug"], ESTIMATE_FIELDS, "cost estimates"),
    ("signal_allowance", SignalAllowance, ALLOWANCE_KEYS, ALLOWANCE_FIELDS, "signal allowances"),
]


def load(*, force: bool, path: Path = CONTENT_FILE) -> str:
    tallies = []
    with transaction.atomic():
        for table, model, keys, fields, label in TABLES:
            entries = read_table(path, table, required={*keys, *fields}, optional=set())
            tally = Tally(label)
            for entry in entries:
                lookup = {key: entry[key] for key in keys}
                name = f"{path.name}: {table} " + " ".join(str(v) for v in lookup.values())
                sync(
                    model,
                    model.objects.filter(**lookup).first(),
                    lookup=lookup,
                    values={field: entry[field] for field in fields},
                    tally=tally,
                    name=name,
                    force=force,
                )
            tallies.append(tally)
    return ". ".join(str(tally) for tally in tallies) + "."
