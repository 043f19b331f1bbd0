"""ERAS fees: pure arithmetic over a sourced fee schedule (no constants in code).

ERAS charges per program, per specialty: `first_fee` for each of the first `tier_size`
programs and `later_fee` from the next one on (2026 season: $11 for 1-30, $30 from the
31st; no refunds). A season without a published schedule uses the latest earlier one,
labelled as such ("2026 fees, 2027 not published").
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.models import uses_residencycas

from .models import SUBMITTED, Application, CostCategory, FeeSchedule


@dataclass(frozen=True)
class SeasonFees:
    schedule: FeeSchedule | None
    season: int

    @property
    def exact(self) -> bool:
        return self.schedule is not None and self.schedule.season == self.season

    @property
    def label(self) -> str:
        if self.schedule is None:
            return f"No ERAS fee schedule recorded for {self.season}"
        if self.exact:
            return f"{self.season} fees"
        return f"{self.schedule.season} fees, {self.season} not published"


def fees_for(season: int, schedules: Iterable[FeeSchedule]) -> SeasonFees:
    """The schedule of `season`, or else the latest earlier one (never a later one)."""
    earlier = [s for s in schedules if s.season <= season]
    best = max(earlier, key=lambda s: s.season, default=None)
    return SeasonFees(schedule=best, season=season)


def eras_fee(count: int, schedule: FeeSchedule) -> int:
    first = min(count, schedule.tier_size)
    return first * schedule.first_fee + max(0, count - schedule.tier_size) * schedule.later_fee


def next_program_fee(count: int, schedule: FeeSchedule) -> int:
    """What program number count + 1 costs in that specialty."""
    return eras_fee(count + 1, schedule) - eras_fee(count, schedule)


@dataclass(frozen=True)
class SpecialtyFees:
    specialty: str
    submitted: int
    researching: int
    paid: int | None  # fees for the submitted ones
    next_number: int
    next_fee: int | None
    if_all: int | None  # fees if every researched one is submitted too
    residencycas: bool = False  # applies through ResidencyCAS: the ERAS schedule does not apply


def by_specialty(applications: Iterable[Application], fees: SeasonFees) -> list[SpecialtyFees]:
    submitted, researching = Counter(), Counter()
    for application in applications:
        bucket = submitted if application.status in SUBMITTED else researching
        bucket[application.specialty] += 1
    rows = []
    schedule = fees.schedule
    for specialty in sorted(submitted.keys() | researching.keys(), key=str.lower):
        count, planned = submitted[specialty], researching[specialty]
        rows.append(
            SpecialtyFees(
                specialty=specialty,
                submitted=count,
                researching=planned,
                paid=eras_fee(count, schedule) if schedule else None,
                next_number=count + 1,
                next_fee=next_program_fee(count, schedule) if schedule else None,
                if_all=eras_fee(count + planned, schedule) if schedule else None,
                residencycas=uses_residencycas(specialty),
            )
        )
    return rows


def ledger_totals(entries) -> tuple[list[dict], dict]:
    """Planned and paid sums per category used, and overall, of a cycle's ledger entries."""
    rows = {
        value: {"label": label, "planned": 0, "paid": 0} for value, label in CostCategory.choices
    }
    for entry in entries:
        rows[entry.category][entry.state] += entry.amount
    used = [{"category": key, **row} for key, row in rows.items() if row["planned"] or row["paid"]]
    total = {
        "planned": sum(row["planned"] for row in used),
        "paid": sum(row["paid"] for row in used),
    }
    return used, total
