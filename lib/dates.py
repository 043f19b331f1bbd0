"""Date arithmetic and the way dates are written, for every app (the bottom of the stack).

Imports nothing from the project, so accounts, pathways, reminders and applications can all
use it (as healthchecks keeps `hc/lib/date.py`).
"""

import datetime

MONDAY, WEDNESDAY, FRIDAY, SATURDAY = 0, 2, 4, 5


def add_years(date: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def add_months(date: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    for day in (date.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(date)  # pragma: no cover


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th (1-based) given weekday (Monday = 0) of a month."""
    first = datetime.date(year, month, 1)
    first_match = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    return first_match + datetime.timedelta(weeks=n - 1)


def first_weekday(day: datetime.date) -> datetime.date:
    """The day itself if Monday to Friday, else the Monday after."""
    while day.weekday() >= SATURDAY:
        day += datetime.timedelta(days=1)
    return day


def weekday_before(day: datetime.date) -> datetime.date:
    """The last Monday-to-Friday day before `day`."""
    day -= datetime.timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day -= datetime.timedelta(days=1)
    return day


def third_friday_of_march(year: int) -> datetime.date:
    """Match Day's long-standing pattern (the NRMP Main Residency Match)."""
    return nth_weekday(year, 3, FRIDAY, 3)


def federal_fiscal_year(on: datetime.date) -> int:
    """US federal fiscal year N runs from 1 October of N-1 to 30 September of N."""
    return on.year + 1 if on.month >= 10 else on.year


def fmt(date: datetime.date) -> str:
    """A date as members read it: "5 Mar 2027"."""
    return f"{date:%-d %b %Y}"


def month_year(day: datetime.date, today: datetime.date) -> str:
    """ "March" in the current year, "March 2028" otherwise."""
    return f"{day:%B}" if day.year == today.year else f"{day:%B %Y}"
