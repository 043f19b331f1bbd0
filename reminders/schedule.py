"""What is coming up for a member, and which reminders are due today: pure functions.

`dated_items(roadmap)` lists every date on a member's roadmap (cycle deadlines, their planned
dates, interviews, their clocks closing). The calendar feed shows them all; `due_reminders`
picks those a member asked to be reminded of, at the horizons they chose.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.apps import apps
from django.urls import reverse

from lib.dates import fmt
from pathways.models import CycleDate, Rule, Slugs
from pathways.roadmap import Roadmap, roadmap_for

# Cycle dates that are deadlines (a member loses something when they pass), beside the ones
# an open milestone of theirs is due by.
HARD_CYCLE_DATES = {
    CycleDate.NRMP_EARLY_REGISTRATION_DEADLINE,
    CycleDate.ROL_DEADLINE,
    CycleDate.PATHWAY_APPLICATION_DEADLINE,
}
DIGEST_WEEKDAY = 0  # Monday
DIGEST_DAYS = 30  # a digest lists what falls in the next 30 days


def member_roadmap(user, today: datetime.date | None = None) -> Roadmap | None:
    """The member's roadmap, None before onboarding (`pathways.roadmap.roadmap_for`; today
    by default: the member's own date)."""
    return roadmap_for(user, today)


@dataclass(frozen=True)
class Dated:
    """One date on a member's roadmap."""

    key: str  # stable: the calendar UID's first part and the reminder's subject
    kind: str  # the ReminderPreference field that switches it on
    title: str
    date: datetime.date
    path: str  # link on the site (a milestone page, or the dashboard)
    proposed: bool = False
    hard: bool = False  # a deadline: alarms in the calendar
    note: str = ""
    start: datetime.datetime | None = None  # a timed event (an interview), time-zone aware
    minutes: int = 0
    run_out: bool = False  # a clock that has already run out: told once, at once

    @property
    def uid(self) -> str:
        return f"{self.key}@imgportal"

    @property
    def display_title(self) -> str:
        return f"{self.title} (proposed)" if self.proposed else self.title


def dated_items(roadmap: Roadmap, user=None) -> list[Dated]:
    items = [
        *cycle_dates(roadmap),
        *targets(roadmap),
        *planned_dates(roadmap),
        *window_closing(roadmap),
        *window_lapses(roadmap),
        *step2cs_clock(roadmap),
        *expiries(roadmap),
        *interview_dates(user),
    ]
    return sorted(items, key=lambda d: (d.date, d.key))


def cycle_dates(roadmap: Roadmap) -> list[Dated]:
    cycle = roadmap.cycle
    if cycle is None:
        return []
    found = []
    for info in cycle.dates():
        field = info.field
        due_by = [i for i in roadmap.items if i.milestone.deadline == field]
        open_items = [i for i in due_by if not i.is_settled]
        if due_by and not open_items:
            continue  # everything due by it is done
        first = open_items[0].milestone if open_items else None
        proposed = info.proposed
        note = (
            "This date is proposed from the usual calendar, not yet confirmed. " if proposed else ""
        )
        if first is not None:
            note += "Due by then: " + ", ".join(i.milestone.title for i in open_items) + "."
        found.append(
            Dated(
                key=f"{first.slug if first else f'match-{cycle.year}'}-{field}",
                kind="cycle_deadlines",
                title=f"{info.label} (Match {cycle.year})",
                date=info.date,
                path=first.get_absolute_url() if first else reverse("pathways:dashboard"),
                proposed=proposed,
                hard=bool(open_items) or field in HARD_CYCLE_DATES,
                note=note.strip(),
            )
        )
    return found


def targets(roadmap: Roadmap) -> list[Dated]:
    """Lead-time targets ahead of a deadline (test by, certificate by), as on the roadmap."""
    found = []
    for item in roadmap.items:
        if item.target is None or item.is_settled:
            continue
        milestone = item.milestone
        proposed = item.deadline_proposed
        note = "Its deadline is proposed, not yet confirmed. " if proposed else ""
        found.append(
            Dated(
                key=f"{milestone.slug}-target",
                kind="cycle_deadlines",
                title=f"{milestone.title}: aim for this date",
                date=item.target,
                path=milestone.get_absolute_url(),
                proposed=proposed,
                note=(
                    f"{note}{milestone.lead_time_note} The deadline itself: "
                    f"{item.deadline_label}, {fmt(item.deadline)}."
                ),
            )
        )
    return found


def planned_dates(roadmap: Roadmap) -> list[Dated]:
    limit = roadmap.rules.in_force(Rule.Key.USMLE_ATTEMPT_LIMIT, roadmap.today)
    found = []
    for item in roadmap.items:
        planned, milestone = item.progress.planned_date, item.milestone
        if planned is None or item.is_settled:
            continue
        found.append(
            Dated(
                key=f"{milestone.slug}-planned_date",
                kind="planned_dates",
                title=f"{milestone.title} (your planned date)",
                date=planned,
                path=milestone.get_absolute_url(),
            )
        )
        used = item.progress.attempts
        if milestone.counts_attempts and limit and used and limit - used <= 1:
            found.append(
                Dated(
                    key=f"{milestone.slug}-last_attempt",
                    kind="attempts",
                    title=f"{milestone.title}: your last attempt ({used} of {limit} used)",
                    date=planned,
                    path=milestone.get_absolute_url(),
                    hard=True,
                    note=f"USMLE allows {limit} attempts per Step, incomplete ones included.",
                )
            )
    return found


def window_closing(roadmap: Roadmap) -> list[Dated]:
    """The day ECFMG's exam window closes on the earliest pass still counting (roadmap.window)."""
    window = roadmap.window
    closes = window.closes_on
    if closes is None or not window.still_to_pass:
        return []
    open_items = [roadmap.item(slug) for slug in window.still_to_pass]
    names = ", ".join(item.milestone.title for item in open_items if item)
    first = next((item for item in open_items if item), None)
    return [
        Dated(
            key="ecfmg-exam-window-closes",
            kind="exam_window",
            title=f"ECFMG {window.years}-year exam window closes",
            date=closes,
            path=first.milestone.get_absolute_url() if first else reverse("pathways:dashboard"),
            hard=True,
            note=f"{window.first.title}: your pass stops counting unless you pass {names} by "
            "then. ECFMG does not send a reminder.",
        )
    ]


def window_lapses(roadmap: Roadmap) -> list[Dated]:
    """Each pass that stopped counting for ECFMG: a clock already run out, told at once."""
    found = []
    for lapse in roadmap.window.lapsed:
        item = roadmap.item(lapse.slug)
        found.append(
            Dated(
                key=f"{lapse.slug}-pass-stopped-counting",
                kind="exam_window",
                title=f"{lapse.title}: your pass stopped counting for ECFMG",
                date=lapse.stopped_on,
                path=item.milestone.get_absolute_url() if item else reverse("pathways:dashboard"),
                hard=True,
                run_out=True,
                note=f"Passed on {fmt(lapse.passed_on)}; not every exam ECFMG needs was passed "
                f"within {roadmap.window.years} years of it.",
            )
        )
    return found


def step2cs_clock(roadmap: Roadmap) -> list[Dated]:
    """The day a former Step 2 CS pass stops counting for ECFMG (pathways' roadmap.step2cs)."""
    cs = roadmap.step2cs
    if cs is None or cs.counts_until is None or cs.exams_complete or not cs.counts:
        return []
    return [
        Dated(
            key="step2cs-counts-until",
            kind="exam_window",
            title="Your Step 2 CS pass stops counting for ECFMG",
            date=cs.counts_until,
            path=reverse("pathways:dashboard"),
            hard=True,
            note="Unless you pass Step 1 and Step 2 CK before then; after it you need the OET "
            "and an ECFMG Pathway.",
        )
    ]


def expiries(roadmap: Roadmap) -> list[Dated]:
    by_slug = roadmap.by_slug()
    gme = by_slug.get(Slugs.GME_YEARS)
    if gme and gme.is_done:
        return []  # valid indefinitely after 12 months of training (pathways.alerts)
    found = []
    for item in roadmap.items:
        if not item.milestone.records_expiry or item.progress.expires_on is None:
            continue
        found.append(
            Dated(
                key=f"{item.milestone.slug}-expires_on",
                kind="expiries",
                title=f"{item.milestone.title} expires",
                date=item.progress.expires_on,
                path=item.milestone.get_absolute_url(),
                hard=True,
            )
        )
    return found


def interview_dates(user) -> list[Dated]:
    """The member's interviews (applications app), kind="interviews", with their time zone.

    Read through the app registry, so reminders works without the applications app and the
    two apps never import each other.
    """
    if user is None or not apps.is_installed("applications"):
        return []
    interview_model = apps.get_model("applications", "Interview")
    rows = interview_model.objects.filter(user=user).select_related("application__program")
    items = []
    for interview in rows:
        start = datetime.datetime.combine(
            interview.date, interview.start_time, tzinfo=ZoneInfo(interview.time_zone)
        )
        program = interview.application.program
        items.append(
            Dated(
                key=f"interview-{interview.pk}",
                kind="interviews",
                title=f"Interview: {program.name} ({interview.get_format_display().lower()})",
                date=interview.date,
                path=interview.get_absolute_url(),
                note=f"{start:%-d %b %Y, %H:%M} {interview.time_zone}",
                start=start,
                minutes=interview.duration_minutes,
            )
        )
    return items


def due_horizon(date: datetime.date, today: datetime.date, horizons: list[int]) -> int | None:
    """The reminder due today for a date: the tightest chosen horizon it has reached.

    A date 20 days ahead is due its 30-day reminder (sent late if the worker was down, or
    the member joined late); its 14-day one comes at 14 days. None if past or too far.
    """
    days_left = (date - today).days
    reached = [h for h in horizons if days_left <= h]
    if days_left < 0 or not reached:
        return None
    return min(reached)


def due_reminders(items: list[Dated], prefs, today: datetime.date) -> list[tuple[Dated, int]]:
    """(item, horizon) for each reminder due today, for a member sending each one."""
    if not prefs.enabled or prefs.frequency != prefs.Frequency.EACH:
        return []
    due = []
    for item in items:
        if not prefs.wants(item.kind):
            continue
        if item.run_out:  # already run out: one reminder (horizon 0), whenever it is found
            if item.date <= today:
                due.append((item, 0))
            continue
        horizon = due_horizon(item.date, today, prefs.horizons)
        if horizon is not None:
            due.append((item, horizon))
    return due


def digest_items(items: list[Dated], prefs, today: datetime.date) -> list[Dated]:
    """What a weekly digest lists today: empty unless it is digest day for this member."""
    if not prefs.enabled or prefs.frequency != prefs.Frequency.WEEKLY:
        return []
    if today.weekday() != DIGEST_WEEKDAY:
        return []
    end = today + datetime.timedelta(days=max(prefs.horizons, default=DIGEST_DAYS))
    return [i for i in items if prefs.wants(i.kind) and today <= i.date <= end]
