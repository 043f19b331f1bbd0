"""Default Match-cycle dates, computed from the rules in the brief.

These are proposals for a new MatchCycle: curators replace them with the official dates
when AAMC, NRMP and ECFMG publish them (a proposed cycle ships with needs_review set).
"""

import datetime

WEDNESDAY, FRIDAY = 2, 4


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th (1-based) given weekday (Monday = 0) of a month."""
    first = datetime.date(year, month, 1)
    first_match = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    return first_match + datetime.timedelta(weeks=n - 1)


def default_dates(year: int) -> dict[str, datetime.date | None]:
    """Proposed dates of the Match whose Match Day falls in `year`, by MatchCycle field."""
    applicants_may_submit = nth_weekday(year - 1, 9, WEDNESDAY, 1)
    match_day = nth_weekday(year, 3, FRIDAY, 3)
    return {
        "eras_opens": nth_weekday(year - 1, 6, WEDNESDAY, 1),
        "applicants_may_submit": applicants_may_submit,
        "programs_review_starts": applicants_may_submit + datetime.timedelta(days=21),
        "nrmp_registration_opens": datetime.date(year - 1, 9, 15),
        "nrmp_early_registration_deadline": datetime.date(year - 1, 11, 30),
        "ranking_opens": datetime.date(year, 1, 15),
        # Three weeks and two days before Match Day: a Wednesday (25 Feb for 20 Mar 2026).
        "rol_deadline": match_day - datetime.timedelta(days=23),
        "match_day": match_day,
        "training_starts": datetime.date(year, 7, 1),
        "oet_recommended_by": datetime.date(year - 1, 12, 31),
        "oet_valid_from": datetime.date(year - 2, 1, 1),
        # Pathway seasons are not Match cycles: no default, a curator enters it.
        "pathway_application_deadline": None,
    }
