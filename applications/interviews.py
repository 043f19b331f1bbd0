"""Interview times in their own time zones, and clashes between them (pure)."""

import datetime
import zoneinfo
from collections.abc import Sequence

from lib.dates import canonical_time_zones


def time_zones() -> list[str]:
    """The zone names offered and accepted: the canonical IANA ones (lib/dates.py)."""
    return list(canonical_time_zones().values())


class WallTime:
    """What a local time is on its day in a zone: normal, missing, or there twice."""

    NORMAL, MISSING, TWICE = "normal", "missing", "twice"


def wall_time(date: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo) -> str:
    """MISSING on the night clocks go forward (02:30 in New York on 8 March 2026 is never
    shown), TWICE on the night they go back (01:30 on 1 November 2026 is shown twice)."""
    first = datetime.datetime.combine(date, time, tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return WallTime.NORMAL
    back = first.astimezone(datetime.UTC).astimezone(zone)
    if back.replace(tzinfo=None) != first.replace(tzinfo=None):
        return WallTime.MISSING
    return WallTime.TWICE


def clock_change(date: datetime.date, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """The zone's time before and after its clock change that day, as 'EDT, UTC-04:00'."""
    moments = [datetime.datetime.combine(date, t, tzinfo=zone) for t in (MIDNIGHT, LAST_MINUTE)]
    return tuple(f"{moment:%Z}, {offset_text(moment)}" for moment in moments)


MIDNIGHT, LAST_MINUTE = datetime.time(0), datetime.time(23, 59)


def offset_text(moment: datetime.datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"


def interval(interview) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end as aware datetimes (UTC), from the interview's own time zone (the
    later of two equal wall times when `later_of_two`)."""
    zone = zoneinfo.ZoneInfo(interview.time_zone)
    start = datetime.datetime.combine(interview.date, interview.start_time, tzinfo=zone)
    start = start.replace(fold=int(getattr(interview, "later_of_two", False)))
    start = start.astimezone(datetime.UTC)
    return start, start + datetime.timedelta(minutes=interview.duration_minutes)


def clashes(interviews: Sequence) -> dict[int, list]:
    """For each interview (by pk), the other interviews whose times overlap it."""
    spans = [(interview, *interval(interview)) for interview in interviews]
    found: dict[int, list] = {}
    for index, (a, a_start, a_end) in enumerate(spans):
        for b, b_start, b_end in spans[index + 1 :]:
            if a_start < b_end and b_start < a_end:
                found.setdefault(a.pk, []).append(b)
                found.setdefault(b.pk, []).append(a)
    return found
