"""Interview times in their own time zones, and clashes between them (pure)."""

import datetime
import functools
import zoneinfo
from collections.abc import Sequence


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def interval(interview) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end as aware datetimes (UTC), from the interview's own time zone."""
    zone = zoneinfo.ZoneInfo(interview.time_zone)
    start = datetime.datetime.combine(interview.date, interview.start_time, tzinfo=zone)
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
