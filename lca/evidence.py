"""What members see of the Labor data: `evidence_for(institution_ids)` (the read API).

For each institution: an Evidence (fiscal year, certified count, the newest file's date),
or None for "no data": no confirmed link to an employer of the LCA files, or no file
imported yet. A confirmed link with no certified case in that year is 0, not None.

The fiscal year shown is the most recent federal fiscal year ended by the newest file's
date (a file of 1 Oct 2025 -> FY2025, which ended 30 Sep 2025): a year still under way
would show partial counts. A case's year is the federal fiscal year of its BEGIN_DATE.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum

from lib.dates import federal_fiscal_year, fmt

from .models import EmployerLink, FileStatus, LcaFile

DOL_PAGE = "https://www.dol.gov/agencies/eta/foreign-labor/performance"


@dataclass(frozen=True)
class Evidence:
    fiscal_year: int
    certified: int
    file_date: datetime.date

    @property
    def sentence(self) -> str:
        noun = "application" if self.certified == 1 else "applications"
        return (
            f"{self.certified:,} certified H-1B {noun} for resident or fellow positions in "
            f"FY{self.fiscal_year} (U.S. Department of Labor LCA data, file of "
            f"{fmt(self.file_date)})"
        )


def reported_fiscal_year(file_date: datetime.date) -> int:
    """The latest federal fiscal year that had ended on `file_date`."""
    return federal_fiscal_year(file_date) - 1


def evidence_for(institution_ids) -> dict[int, Evidence | None]:
    """{institution id: Evidence or None} for these institutions (2 queries: the newest
    imported file, then the confirmed links with their certified counts in that year)."""
    return _evidence(institution_ids, "institution_id")


def evidence_for_programs(program_ids) -> dict[int, Evidence | None]:
    """{catalogue program id: its institution's Evidence or None} (2 queries, as
    `evidence_for`: the program's institution is joined, not loaded)."""
    return _evidence(program_ids, "institution__programs")


def _evidence(ids, key: str) -> dict[int, Evidence | None]:
    """Evidence per value of `key` (a path from EmployerLink to the ids asked for)."""
    ids = list(ids)
    found: dict[int, Evidence | None] = dict.fromkeys(ids)
    if not ids:
        return found
    newest = (
        LcaFile.objects.filter(status=FileStatus.DONE)
        .order_by("-file_date")
        .values_list("file_date", flat=True)
        .first()
    )
    if newest is None:
        return found
    year = reported_fiscal_year(newest)
    linked = (
        EmployerLink.objects.filter(**{f"{key}__in": ids}, decision=EmployerLink.Decision.CONFIRMED)
        .order_by()
        .values(key)
        .annotate(
            certified=Sum("employer__years__certified", filter=Q(employer__years__fiscal_year=year))
        )
    )
    for row in linked:
        found[row[key]] = Evidence(year, row["certified"] or 0, newest)
    return found
