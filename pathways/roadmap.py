"""A member's roadmap: which milestones apply to their profile, and where they stand.

`roadmap_for(user, today)` is the one way to a member's roadmap, for pages and for work
outside a request alike (calendar feed, reminders, export). It reads in a fixed number of
queries whatever the number of milestones (`load_roadmap`), writes nothing, and returns None
before onboarding; `build_roadmap(data, today)` is pure and computes everything the
dashboard, the timeline and the progress form need.

A milestone the member never saved has an unsaved Progress (pk None, "not started"); the
row is created on its first save. Rows are never deleted: when the profile changes,
milestones that no longer apply are hidden and their rows, with everything the member
entered, come back if they apply again.
"""

import datetime
import functools
from dataclasses import dataclass, field, replace

from django.db.models.base import ModelState

from accounts.models import Profile
from lib import rows
from lib.dates import add_years, in_two_zones, member_today, member_zone
from pathways.alerts import compute_alerts
from pathways.curated_cache import TOKEN_COLUMN, curated
from pathways.cycles import DEADLINE_TIMES, LATE_PERIODS, NRMP_TIME_ZONE
from pathways.models import (
    CYCLE_DATE_LABELS,
    Category,
    CycleDateInfo,
    EntryRestriction,
    MatchCycle,
    Milestone,
    Prerequisite,
    Progress,
    Rule,
    Slugs,
)
from pathways.rulebook import RuleBook

NEXT_STEPS_SHOWN = 4
DEADLINES_SHOWN = 4


@dataclass
class RoadmapData:
    """Everything read from the database for one member's roadmap."""

    profile: Profile
    milestones: list[Milestone]
    prerequisites: list[tuple[int, int, str]]  # (milestone_id, required_id, kind)
    progress: dict[int, Progress]  # by milestone id, saved rows only
    cycle: MatchCycle | None
    rules: RuleBook
    restrictions: list[EntryRestriction] = field(default_factory=list)  # all, curated
    content_token: str = ""  # the curated content's version (curated_cache.version())

    def progress_of(self, milestone: Milestone) -> Progress:
        """The member's saved row for a milestone, or an unsaved one (made once per data)."""
        progress = self.progress.get(milestone.id)
        if progress is None:
            unsaved = self.__dict__.setdefault("_unsaved", {})  # not an input: a memo
            progress = unsaved.get(milestone.id)
            if progress is None:
                progress = unsaved[milestone.id] = unsaved_progress(self.profile.user_id, milestone)
        if not MILESTONE.is_cached(progress):
            progress.milestone = milestone  # share the instance: no query per row
        return progress

    def with_progress(self, progress: Progress) -> "RoadmapData":
        """The same data with one progress row replaced (after a successful update)."""
        return replace(self, progress={**self.progress, progress.milestone_id: progress})


MILESTONE = Progress._meta.get_field("milestone")


@functools.cache
def _progress_defaults() -> dict[str, object]:
    """Progress's field defaults by attribute name (all immutable values)."""
    return {f.attname: f.get_default() for f in Progress._meta.concrete_fields}


def copy_of(progress: Progress) -> Progress:
    """A separate instance of a progress row (saved or not), for a form to change or to keep
    as it was read: its field values and state copied, without Model.__init__ (as
    `unsaved_progress`); its milestone shared when it has one."""
    twin = Progress.__new__(Progress)
    twin._state = ModelState()
    twin._state.adding, twin._state.db = progress._state.adding, progress._state.db
    twin.__dict__.update({name: getattr(progress, name) for name in _progress_defaults()})
    if MILESTONE.is_cached(progress):
        twin._state.fields_cache["milestone"] = progress.milestone
    return twin


def unsaved_progress(user_id: int, milestone: Milestone) -> Progress:
    """A new, unsaved row (not started) of a member's for a milestone, as
    Progress(user_id=..., milestone=...) makes it, without Model.__init__: a roadmap makes
    one per milestone never saved, and __init__ (signals, then every field set through its
    descriptor) took over a quarter of a build. Progress has no init signal receivers and no
    field whose descriptor sets more than the value; the test of this function pins the
    result to the model's own."""
    progress = Progress.__new__(Progress)
    progress._state = ModelState()
    progress.__dict__.update(_progress_defaults(), user_id=user_id, milestone_id=milestone.id)
    progress._state.db = milestone._state.db  # as assigning the milestone sets it
    progress._state.fields_cache["milestone"] = milestone
    return progress


@dataclass
class Item:
    """One milestone on a member's roadmap, with their progress."""

    milestone: Milestone
    progress: Progress
    applies: bool
    deadline: datetime.date | None = None
    deadline_label: str = ""
    deadline_info: CycleDateInfo | None = None  # provenance: verified or proposed
    target: datetime.date | None = None  # a lead time ahead of the deadline, see Milestone
    blockers: list[Milestone] = field(default_factory=list)  # hard, on the roadmap, unsettled
    recommended: list[Milestone] = field(default_factory=list)  # soft, unsettled
    unlocks: list[Milestone] = field(default_factory=list)
    overdue: bool = False  # its cycle deadline has passed and it is still open
    late_until: datetime.date | None = None  # past its deadline, in a late period until then
    resources: list = field(default_factory=list)  # published resources, see attach_resources
    lapsed: "LapsedPass | None" = None  # its recorded pass stopped counting (ECFMG's window)

    @property
    def deadline_proposed(self) -> bool:
        return self.deadline_info is not None and self.deadline_info.proposed

    @property
    def planned_after_due(self) -> bool:
        """Planned for a day after its own due date, and still open: flagged where the
        member reads the plan."""
        planned = self.progress.planned_date
        return bool(planned and self.deadline and planned > self.deadline and not self.is_settled)

    @property
    def is_settled(self) -> bool:
        """Done or not applicable, and not a pass that stopped counting."""
        return self.progress.is_settled and self.lapsed is None

    @property
    def is_done(self) -> bool:
        return self.progress.is_done and self.lapsed is None

    @property
    def status(self) -> str:
        """The status the roadmap goes by: a pass that stopped counting is to do again."""
        return Progress.Status.NOT_STARTED if self.lapsed else self.progress.status

    @property
    def status_label(self) -> str:
        return "To retake" if self.lapsed else self.progress.get_status_display()

    @property
    def is_blocked(self) -> bool:
        return bool(self.blockers) and not self.is_settled

    @property
    def counts_for_progress(self) -> bool:
        """Optional milestones count once started; not-applicable ones never count."""
        if self.progress.status == Progress.Status.NOT_APPLICABLE:
            return False
        return not self.milestone.is_optional or self.progress.is_started


@dataclass
class CategoryProgress:
    key: str
    label: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Deadline:
    field: str
    label: str
    date: datetime.date
    days_left: int
    items: list[Item]
    info: CycleDateInfo
    at: str = ""  # its time of day, in ET and the member's zone (cycles.DEADLINE_TIMES)

    @property
    def proposed(self) -> bool:
        return self.info.proposed


@dataclass(frozen=True)
class Standing:
    phase: str  # the category of the first open milestone, "" when all are settled
    urgent: int  # danger alerts
    overdue: int  # open milestones whose deadline has passed


@dataclass
class Step2CS:
    """A member's former Step 2 CS pass and whether it still counts for ECFMG.

    ECFMG's seven-year window runs from the first passed Step or Step Component; a CS pass
    stops counting on `counts_until` (seven years on) unless every exam ECFMG needs was
    passed before that day. The month is all we know, so the day is the first of the month
    (earlier, so safer).
    """

    passed_on: datetime.date | None  # None: the member has not told us the month yet
    counts_until: datetime.date | None
    exams_complete: bool  # every exam passed by counts_until: the pass counts for good
    counts: bool


@dataclass(frozen=True)
class Pass:
    """A passed exam that ECFMG's window counts: a Step (its progress row) or the former
    Step 2 CS (a profile answer, slug Slugs.STEP2CS)."""

    slug: str
    title: str
    on: datetime.date


@dataclass(frozen=True)
class LapsedPass:
    """A pass that stopped counting for ECFMG on `stopped_on`: the exam must be passed again."""

    slug: str
    title: str
    passed_on: datetime.date
    stopped_on: datetime.date
    years: int

    @property
    def years_label(self) -> str:
        return f"{self.years}-year window"


@dataclass(frozen=True)
class ExamWindow:
    """ECFMG's exam window over a member's passes, on a day (season review B).

    Every exam ECFMG needs must be passed within `years` of the earliest pass still
    counting, or that pass stops counting, and the window restarts from the next-earliest
    pass, which may run out in turn (`exam_window` follows the cascade to today).
    """

    years: int | None
    counting: tuple[Pass, ...]  # passes that still count, earliest first
    lapsed: tuple[LapsedPass, ...]  # passes that stopped counting, in the order they did
    complete: bool  # every exam ECFMG needs passed within one window: no clock runs
    still_to_pass: tuple[str, ...]  # slugs of the needed exams not (or no longer) passed

    @property
    def first(self) -> Pass | None:
        return self.counting[0] if self.counting else None

    @property
    def closes_on(self) -> datetime.date | None:
        """The day the earliest counting pass stops counting, unless the exams are complete."""
        if self.complete or self.first is None or self.years is None:
            return None
        return add_years(self.first.on, self.years)

    def lapsed_of(self, slug: str) -> LapsedPass | None:
        return next((lapse for lapse in self.lapsed if lapse.slug == slug), None)


def exam_window(
    passes: list[Pass],
    needed: list[str],
    years: int | None,
    today: datetime.date,
    undated: frozenset[str] = frozenset(),
) -> ExamWindow:
    """Follow ECFMG's seven-year rule over dated passes up to `today` (pure).

    `needed`: the exams ECFMG needs (Step 1 and Step 2 CK); a Step 2 CS pass is needed too
    while it counts, and when it stops counting the Pathway and OET take its place.
    `undated`: exams recorded as passed without a date: they count, and never run out,
    because the portal cannot know (the member is asked for the date).
    """
    remaining = sorted(passes, key=lambda p: (p.on, p.slug))
    lapsed: list[LapsedPass] = []
    complete = False
    while remaining and years is not None:
        first = remaining[0].on
        closes = add_years(first, years)
        required = set(needed) | {p.slug for p in remaining if p.slug == Slugs.STEP2CS}
        within = {p.slug for p in remaining if p.on < closes} | undated
        if required <= within:
            complete = True
            break
        if today < closes:
            break
        lapsed += [
            LapsedPass(p.slug, p.title, p.on, closes, years) for p in remaining if p.on == first
        ]
        remaining = [p for p in remaining if p.on != first]
    passed = {p.slug for p in remaining} | undated
    return ExamWindow(
        years=years,
        counting=tuple(remaining),
        lapsed=tuple(lapsed),
        complete=complete,
        still_to_pass=tuple(slug for slug in needed if slug not in passed),
    )


@dataclass(frozen=True)
class MatchWeek:
    monday: datetime.date  # the day applicants learn whether they matched; SOAP begins
    match_day: datetime.date
    checklist_url: str  # the SOAP milestone's page
    result: Milestone  # the Match result milestone, to record it


@dataclass
class Roadmap:
    data: RoadmapData
    profile: Profile
    cycle: MatchCycle | None
    today: datetime.date
    window: ExamWindow
    step2cs: Step2CS | None
    rules: RuleBook
    items: list[Item]  # the milestones that apply to the profile, in display order
    hidden: list[Item]  # rows of milestones that no longer apply (kept, not shown)
    overall: CategoryProgress
    categories: list[CategoryProgress]
    next_steps: list[Item]
    more_next_steps: int
    blocked: list[Item]
    restriction: EntryRestriction | None = None  # on the member's nationality, in force today
    alerts: list = field(default_factory=list)

    @functools.cached_property
    def deadlines(self) -> list[Deadline]:
        """The cycle's dates still ahead (computed when read: a save's answer never does)."""
        return upcoming_deadlines(self.cycle, self.items, self.today)

    @property
    def next_deadlines(self) -> list[Deadline]:
        zone = member_zone(self.profile)
        return [
            replace(d, at=in_two_zones(d.date, DEADLINE_TIMES[d.field], NRMP_TIME_ZONE, zone))
            if d.field in DEADLINE_TIMES
            else d
            for d in self.deadlines[:DEADLINES_SHOWN]
        ]

    @property
    def pressing_alerts(self) -> list:
        """Danger and warning alerts: shown first on the dashboard."""
        return [a for a in self.alerts if a.level != "info"]

    @property
    def other_alerts(self) -> list:
        return [a for a in self.alerts if a.level == "info"]

    @property
    def standing(self) -> "Standing":
        """Where the member stands, in one sentence: phase and what needs attention."""
        open_items = [i for i in self.items if not i.is_settled and not i.milestone.is_optional]
        phase = ""
        if open_items:
            first = min(open_items, key=lambda i: (i.milestone.order, i.milestone.title))
            phase = first.milestone.get_category_display()
        urgent = sum(1 for a in self.alerts if a.level == "danger")
        overdue = sum(1 for i in self.items if i.overdue)
        return Standing(phase=phase, urgent=urgent, overdue=overdue)

    @property
    def match_week(self) -> "MatchWeek | None":
        """While today is in the member's Match Week and they have not recorded their Match
        result: the days of SOAP, for the dashboard."""
        cycle = self.cycle
        if cycle is None or cycle.match_week_starts is None:
            return None
        if not cycle.match_week_starts <= self.today <= cycle.match_day:
            return None
        result, ready = self.item(Slugs.MATCH), self.item(Slugs.SOAP_READY)
        if result is None or result.is_done:
            return None
        checklist = ready.milestone.get_absolute_url() if ready else ""
        return MatchWeek(cycle.match_week_starts, cycle.match_day, checklist, result.milestone)

    @property
    def match_over(self) -> Item | None:
        """The Match result milestone, once the member's Match Day has passed and they have not
        recorded their result: the dashboard asks for it, or for the next Match year."""
        cycle = self.cycle
        if cycle is None or self.today <= cycle.match_day:
            return None
        result = self.item(Slugs.MATCH)
        return result if result is not None and not result.is_settled else None

    def rows_changed_with(self, item: Item, before: Progress) -> list[Item]:
        """The other rows that a save of `item` (its progress was `before`) can have changed.

        A row reads nothing of another row's progress but two things:
        - its Blocked badge: the status of its hard prerequisites (the rows `item` unlocks);
        - ECFMG's exam window: an exam's pass (its result and test date) can make any pass
          stop or resume counting ("To retake"), which in turn blocks or unblocks what
          follows: every row may have changed.
        (The window can also change which milestones apply, for a member with a former Step
        2 CS pass: `applies_changed`.) tests/pathways/test_save_parts.py walks saves to hold
        this."""
        after = item.progress
        if item.milestone.ecfmg_exam and pass_of(before) != pass_of(after):
            return [i for i in self.items if i is not item]
        if before.status == after.status:
            return []
        unlocked = {milestone.pk for milestone in item.unlocks}
        return [i for i in self.items if i.milestone.pk in unlocked]

    def applies_changed(self, before: RoadmapData) -> bool:
        """Whether a different set of milestones applied with `before` (the data before a
        save): only a former Step 2 CS pass that stopped or resumed counting does that."""
        if not self.profile.has_step2cs:
            return False
        return step2cs_counts(before, self.today) != step2cs_counts(self.data, self.today)

    def item(self, slug: str) -> Item | None:
        """The item of a milestone, shown or hidden, by slug."""
        for item in [*self.items, *self.hidden]:
            if item.milestone.slug == slug:
                return item
        return None

    def by_slug(self) -> dict[str, Item]:
        return {item.milestone.slug: item for item in self.items}

    @property
    def items_by_category(self) -> list[tuple[str, list[Item]]]:
        return [(label, items) for _, label, items in self.sections]

    @property
    def sections(self) -> list[tuple[str, str, list[Item]]]:
        """(category key, label, items) of each category with a milestone on the roadmap."""
        return [
            (key, label, [i for i in self.items if i.milestone.category == key])
            for key, label in Category.choices
            if any(i.milestone.category == key for i in self.items)
        ]

    def section(self, key: str) -> tuple[str, list[Item]] | None:
        """(label, items) of one category on the roadmap, or None."""
        for section_key, label, items in self.sections:
            if section_key == key:
                return label, items
        return None


def roadmap_for(user, today: datetime.date | None = None) -> Roadmap | None:
    """A member's roadmap on a day (default: today where the member lives, their profile's
    time zone, lib.dates.member_today), or None before onboarding: `load_roadmap`'s queries,
    no writes."""
    data = load_roadmap(user)
    if data is None:
        return None
    return build_roadmap(data, today or member_today(data.profile))


# Written once: the ORM took longer to build these small queries than the database took to
# answer them (a progress save, the roadmap's other readers).
PROGRESS_SQL = (
    f"SELECT {rows.columns(Progress, 'r')} FROM pathways_progress r"  # noqa: S608  # nosec B608 - model names
    " WHERE r.user_id = %s"
)
PROFILE_PROGRESS_SQL = (
    f"SELECT {rows.columns(Profile, 'p')}, {rows.columns(Progress, 'r')}, {TOKEN_COLUMN}"  # noqa: S608  # nosec B608 - model names
    " FROM accounts_profile p LEFT JOIN pathways_progress r ON r.user_id = p.user_id"
    " WHERE p.user_id = %s AND p.onboarded_at IS NOT NULL"
)


MEMBER_PROFILE_SQL = (
    f"SELECT {rows.columns(Profile, 'p')}, {TOKEN_COLUMN}"  # noqa: S608  # nosec B608 - model names
    " FROM accounts_profile p WHERE p.user_id = %s"
)


def member_profile(user) -> Profile | None:
    """The member's profile (onboarded or not), None without one, with the curated content's
    token read along (`content_token`, for `curated(token)`): 1 query."""
    profile = next(iter(rows.fetch(Profile, MEMBER_PROFILE_SQL, [user.pk])), None)
    if profile is not None:
        profile.user = user  # share the instance: no query for profile.user
    return profile


def load_roadmap(user, profile: Profile | None = None) -> RoadmapData | None:
    """Read a member's roadmap: 1 query (the profile, their progress rows and the curated
    content's token, joined), or None before onboarding; 1 when the caller already holds the
    profile (the rows alone; the token too if it came with the profile, else one more). The
    curated content comes from its cache (pathways/curated_cache.py): six more queries when
    the cache is cold."""
    if profile is None:
        found = rows.fetch_joined((Profile, Progress), PROFILE_PROGRESS_SQL, [user.pk])
        if not found:
            return None
        profile = found[0][0]
        saved = [progress for _, progress in found if progress is not None]
    else:
        if not profile.is_onboarded:
            return None
        saved = rows.fetch(Progress, PROGRESS_SQL, [user.pk])
    profile.user = user  # share the instance: no query for profile.user
    content = curated(getattr(profile, "content_token", None))  # read with the profile
    progress = {p.milestone_id: p for p in saved}
    cycle = content.cycles.get(profile.match_year)
    return RoadmapData(
        profile,
        content.milestones,
        content.prerequisites,
        progress,
        cycle,
        content.rulebook,
        content.restrictions,
        content.token,
    )


def preview_roadmap(profile: Profile, today: datetime.date) -> Roadmap:
    """The roadmap a visitor would get with these answers: nothing saved, nothing recorded.

    `profile` is an unsaved Profile; reads only the cached curated content.
    """
    content = curated()
    data = RoadmapData(
        profile,
        content.milestones,
        content.prerequisites,
        {},
        content.cycles.get(profile.match_year),
        content.rulebook,
        content.restrictions,
        content.token,
    )
    return build_roadmap(data, today)


def passed_on(progress: Progress) -> datetime.date | None:
    """The test date of a passed exam (None if not passed or no date)."""
    if progress.outcome == Progress.Outcome.PASSED:
        return progress.completed_date
    return None


def pass_of(progress: Progress) -> tuple[bool, datetime.date | None]:
    """What ECFMG's window reads of an exam's row: passed or not, and on which day."""
    return progress.outcome == Progress.Outcome.PASSED, passed_on(progress)


def window_of(data: RoadmapData, today: datetime.date) -> ExamWindow:
    """The member's ECFMG exam window on a day, from their exam rows and Step 2 CS answer."""
    exams = [m for m in data.milestones if m.ecfmg_exam]
    passes, undated = [], set()
    for milestone in exams:
        progress = data.progress_of(milestone)
        if progress.outcome != Progress.Outcome.PASSED:
            continue
        if progress.completed_date is None:
            undated.add(milestone.slug)
        else:
            passes.append(Pass(milestone.slug, milestone.title, progress.completed_date))
    profile = data.profile
    if profile.has_step2cs and profile.step2cs_passed_on is not None:
        passes.append(Pass(Slugs.STEP2CS, "Step 2 CS", profile.step2cs_passed_on))
    years = data.rules.in_force(Rule.Key.ECFMG_EXAM_WINDOW_YEARS, today)
    return exam_window(passes, [m.slug for m in exams], years, today, frozenset(undated))


def step2cs_status(profile: Profile, window: ExamWindow) -> Step2CS | None:
    if not profile.has_step2cs:
        return None
    passed = profile.step2cs_passed_on
    if passed is None:  # counted as valid until the member tells us
        return Step2CS(None, None, exams_complete=False, counts=True)
    lapse = window.lapsed_of(Slugs.STEP2CS)
    if lapse is not None:
        return Step2CS(passed, lapse.stopped_on, exams_complete=False, counts=False)
    if window.years is None:
        return Step2CS(passed, None, exams_complete=False, counts=True)
    until = add_years(passed, window.years)
    return Step2CS(passed, until, exams_complete=window.complete, counts=True)


def step2cs_counts(data: RoadmapData, today: datetime.date) -> bool:
    """Whether the member's former Step 2 CS pass counts for ECFMG today (the OET and the
    Pathway apply only when it does not)."""
    step2cs = step2cs_status(data.profile, window_of(data, today))
    return step2cs is not None and step2cs.counts


def build_roadmap(data: RoadmapData, today: datetime.date) -> Roadmap:
    by_id = {m.id: m for m in data.milestones}  # id, not pk: a plain attribute, in a hot loop
    window = window_of(data, today)
    step2cs = step2cs_status(data.profile, window)
    cs_counts = step2cs is not None and step2cs.counts
    items = {
        m.id: Item(
            milestone=m,
            progress=data.progress_of(m),
            applies=m.applies_to(data.profile, step2cs_counts=cs_counts),
            lapsed=window.lapsed_of(m.slug),
        )
        for m in data.milestones
    }
    for milestone_id, required_id, kind in data.prerequisites:
        item, required = items[milestone_id], items[required_id]
        if item.applies and required.applies:
            required.unlocks.append(item.milestone)
        if not required.applies or required.is_settled:
            continue
        if kind == Prerequisite.Kind.HARD:
            item.blockers.append(by_id[required_id])
        else:
            item.recommended.append(by_id[required_id])
    for item in items.values():
        item.blockers.sort(key=lambda m: (m.order, m.title))
        item.recommended.sort(key=lambda m: (m.order, m.title))
        if data.cycle and item.milestone.deadline:
            item.deadline_info = data.cycle.info(item.milestone.deadline)
            item.deadline = item.deadline_info.date
            item.deadline_label = CYCLE_DATE_LABELS[item.milestone.deadline]
            item.overdue = item.deadline is not None and item.deadline < today
            item.overdue = item.overdue and not item.is_settled
            closes = LATE_PERIODS.get(item.milestone.deadline)
            closes = data.cycle.info(closes).date if item.overdue and closes else None
            if closes and today <= closes:
                item.late_until, item.overdue = closes, False
            item.target = lead_time_target(item, data)

    shown = [i for i in items.values() if i.applies]
    hidden = [i for i in items.values() if not i.applies]
    categories = [
        progress_of(key, label, [i for i in shown if i.milestone.category == key])
        for key, label in Category.choices
    ]
    open_items = [i for i in shown if not i.is_settled]
    next_steps = [i for i in open_items if not i.blockers]
    roadmap = Roadmap(
        data=data,
        profile=data.profile,
        cycle=data.cycle,
        today=today,
        window=window,
        step2cs=step2cs,
        rules=data.rules,
        items=shown,
        hidden=hidden,
        overall=progress_of("all", "Overall", shown),
        categories=[c for c in categories if c.total],
        next_steps=next_steps[:NEXT_STEPS_SHOWN],
        more_next_steps=max(0, len(next_steps) - NEXT_STEPS_SHOWN),
        blocked=[i for i in open_items if i.blockers],
        restriction=restriction_of(data, today),
    )
    roadmap.alerts = compute_alerts(roadmap)
    return roadmap


def restriction_of(data: RoadmapData, today: datetime.date) -> EntryRestriction | None:
    """The entry restriction in force today on the member's nationality, if they need a visa
    and it suspends a visa they may take (J or H)."""
    profile = data.profile
    if not profile.citizenship or not profile.needs_visa:
        return None
    for restriction in data.restrictions:
        if restriction.country == profile.citizenship and restriction.applies_on(today):
            concerns_j = profile.may_take_j1 and restriction.j_visas_suspended
            concerns_h = profile.may_take_h1b and restriction.h_visas_suspended
            if concerns_j or concerns_h:
                return restriction
    return None


def lead_time_target(item: Item, data: RoadmapData) -> datetime.date | None:
    """The milestone's target ahead of its deadline, for the members it concerns."""
    milestone = item.milestone
    if item.deadline is None or not milestone.target_applies_to(data.profile):
        return None
    days = data.rules.in_force(milestone.lead_time_rule, item.deadline)
    return item.deadline - datetime.timedelta(days=days) if days is not None else None


def progress_of(key: str, label: str, items: list[Item]) -> CategoryProgress:
    counted = [i for i in items if i.counts_for_progress]
    done = sum(1 for i in counted if i.is_done)
    return CategoryProgress(key, label, done, len(counted))


def upcoming_deadlines(
    cycle: MatchCycle | None, items: list[Item], today: datetime.date
) -> list[Deadline]:
    if cycle is None:
        return []
    return [
        Deadline(
            field=info.field,
            label=info.label,
            date=info.date,
            days_left=(info.date - today).days,
            items=[i for i in items if i.milestone.deadline == info.field],
            info=info,
        )
        for info in cycle.dates()
        if info.date >= today
    ]


def attach_resources(roadmap: Roadmap) -> None:
    """Give each next step up to RESOURCES_PER_STEP published resources linked to it (title
    and address, from the curated content the roadmap was built from: no query)."""
    links = curated(roadmap.data.content_token).resources
    for item in roadmap.next_steps:
        item.resources = links.get(item.milestone.pk, [])
