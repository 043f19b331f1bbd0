"""Default Match-cycle dates, computed from patterns of past cycles, each rule named.

These are proposals for a new MatchCycle, never official dates: a date stays *proposed*
(shown as such everywhere) until a curator records the official source and the day they
checked it (MatchCycle.verified). Where no pattern has an official basis the default is
None and the date is unknown until a curator enters it.
"""

import datetime
import functools

from lib.dates import WEDNESDAY, first_weekday, nth_weekday, third_friday_of_march, weekday_before

# Since the 2021 Match the ROL deadline has been a Wednesday 16 days before Match Day, every
# year (3 Mar -> 19 Mar 2021 ... 4 Mar -> 20 Mar 2026; NRMP's own newsletters, see
# docs/sources.md).
ROL_DAYS_BEFORE_MATCH_DAY = 16
# Match Week runs Monday to Friday; SOAP Monday to Thursday, Match Day on the Friday.
MATCH_WEEK_DAYS_BEFORE_MATCH_DAY = 4

# NRMP and ERAS give their deadlines in US Eastern time. A deadline with a time of day (the
# ROL deadline: 9 pm ET, NRMP, every year since 2021) is shown in ET and in the member's zone.
NRMP_TIME_ZONE = "America/New_York"
DEADLINE_TIMES = {"rol_deadline": datetime.time(21, 0)}

# A deadline after which a late period stays open until another date of the cycle: NRMP's
# regular registration ends at its deadline, late registration (with a late fee) stays open
# until the ROL deadline (cycles.toml notes, from NRMP's calendar). Past the first date and
# before the second, the milestone is late, not overdue.
LATE_PERIODS = {"nrmp_early_registration_deadline": "rol_deadline"}

# The rule behind each default, as members and curators read it next to a proposed date.
DEFAULT_RULES = {
    "eras_opens": "first Wednesday of June of the year before (past pattern)",
    "applicants_may_submit": "first Wednesday of September of the year before (past pattern)",
    "programs_review_starts": "three weeks after applicants may submit (past pattern)",
    "nrmp_registration_opens": "15 September of the year before (long-standing pattern)",
    "nrmp_early_registration_deadline": (
        "the last weekday before ranking opens, about 30-31 January (proposed rule: it fits "
        "30 Jan 2026 and the reported 29 Jan 2027)"
    ),
    "ranking_opens": "the first weekday of February (NRMP's pattern)",
    "rol_deadline": "the Wednesday 16 days before Match Day, 9 pm ET (every year since 2021)",
    "match_week_starts": (
        "the Monday of Match Week, four days before Match Day (16-20 Mar 2026 on NRMP's own "
        "newsletter)"
    ),
    "match_day": "third Friday of March (long-standing pattern)",
    "training_starts": "1 July (residency start)",
    "oet_recommended_by": (
        "31 December stands in for ECFMG's advice: the last scheduled December OET test date"
    ),
}
NOT_COMPUTED = "not computed: no pattern has an official basis"


def default_date(year: int, field: str) -> datetime.date | None:
    """One proposed date (MatchCycle.info asks for each date of each cycle on every roadmap
    build: the table of a year is computed once per process)."""
    return _default_table(year).get(field)


@functools.lru_cache(maxsize=64)
def _default_table(year: int) -> dict[str, datetime.date | None]:
    return default_dates(year)  # the cached dict is only read, never handed out


def default_dates(year: int) -> dict[str, datetime.date | None]:
    """Proposed dates of the Match whose Match Day falls in `year`, by MatchCycle field."""
    applicants_may_submit = nth_weekday(year - 1, 9, WEDNESDAY, 1)
    match_day = third_friday_of_march(year)
    ranking_opens = first_weekday(datetime.date(year, 2, 1))
    return {
        "eras_opens": nth_weekday(year - 1, 6, WEDNESDAY, 1),
        "applicants_may_submit": applicants_may_submit,
        "programs_review_starts": applicants_may_submit + datetime.timedelta(days=21),
        "nrmp_registration_opens": datetime.date(year - 1, 9, 15),
        "nrmp_early_registration_deadline": weekday_before(ranking_opens),
        "ranking_opens": ranking_opens,
        "rol_deadline": match_day - datetime.timedelta(days=ROL_DAYS_BEFORE_MATCH_DAY),
        "match_week_starts": match_day - datetime.timedelta(days=MATCH_WEEK_DAYS_BEFORE_MATCH_DAY),
        "match_day": match_day,
        "training_starts": datetime.date(year, 7, 1),
        "oet_recommended_by": datetime.date(year - 1, 12, 31),
        # ECFMG sets these per Pathway season; the review found no pattern: a curator
        # enters them from ECFMG's page.
        "pathway_application_deadline": None,
        "oet_valid_from": None,
    }
