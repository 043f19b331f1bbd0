"""Date arithmetic and the way dates are written, for every app (the bottom of the stack).

Imports nothing from the project, so accounts, pathways, reminders and applications can all
use it (as healthchecks keeps `hc/lib/date.py`).
"""

import datetime
import functools
import importlib.resources
import zoneinfo

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


# --- A member's own time zone -------------------------------------------------------------


@functools.cache
def canonical_time_zones() -> dict[str, str]:
    """The IANA names a member may choose, by their lower-case form.

    The names that zone.tab and zone1970.tab list for a country, plus UTC: the canonical,
    geographic names (Africa/Cairo, Asia/Kolkata, Europe/Oslo, America/New_York). Left out:
    the backward-compatible links and legacy names tzdata keeps so old software still runs
    (US/Eastern, EST, Asia/Calcutta, Europe/Kiev, GB, Etc/GMT+5): an abbreviation is not a
    place (EST is always UTC-5, which New York is only in winter), and a link shows the same
    place under two names. Read from the pinned tzdata package, so every machine agrees.
    """
    names = {"UTC"}
    folder = importlib.resources.files("tzdata") / "zoneinfo"
    for table in ("zone.tab", "zone1970.tab"):
        for line in (folder / table).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                names.add(line.split("\t")[2])
    names &= zoneinfo.available_timezones() | {"UTC"}
    return {name.lower(): name for name in sorted(names)}


def canonical_zone(name: str) -> str | None:
    """The canonical spelling of a zone name typed in any case, or None if it is not one."""
    return canonical_time_zones().get((name or "").strip().lower())


@functools.cache
def zone_links() -> dict[str, str]:
    """Old or alias names (lower-case) and the canonical name they stand for: 'us/eastern' ->
    'America/New_York', 'asia/calcutta' -> 'Asia/Kolkata' (tzdata.zi's link lines)."""
    links = {}
    text = (importlib.resources.files("tzdata") / "zoneinfo" / "tzdata.zi").read_text("utf-8")
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            if canonical_zone(target):
                links[name.lower()] = canonical_zone(target)
    return links


def member_zone(who) -> zoneinfo.ZoneInfo | None:
    """The time zone a member (a User with a profile, or a Profile) recorded, if any."""
    profile = getattr(who, "profile", who) if who is not None else None
    name = getattr(profile, "time_zone", "") or ""
    return zoneinfo.ZoneInfo(name) if canonical_zone(name) else None


def member_today(who, now: datetime.datetime | None = None) -> datetime.date:
    """Today where the member lives: their recorded time zone's date, else the site's (ET).

    At 04:10 UTC on 5 December it is still 4 December in New York and already 5 December
    in Cairo: "today", "days left", export file names and reminders follow the member.
    """
    from django.utils import timezone

    now = now or timezone.now()
    zone = member_zone(who)
    return now.astimezone(zone).date() if zone else timezone.localdate(now)


def in_two_zones(
    day: datetime.date, at: datetime.time, source: str, zone: zoneinfo.ZoneInfo | None
) -> str:
    """A deadline's time in ET and in the member's zone: "9 pm ET · 04:00 Thu in Cairo"
    (the weekday only when the member's date differs). `source` is the zone the time is
    given in (US Eastern for NRMP); ET alone when the member has no zone or lives in it."""
    moment = datetime.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(source))
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02}" if moment.minute else ""
    text = f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'} ET"
    if zone is None or zone.key == source:
        return text
    local = moment.astimezone(zone)
    weekday = f" {local:%a}" if local.date() != day else ""
    place = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{text} · {local:%H:%M}{weekday} in {place}"
