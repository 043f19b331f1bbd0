""" "Can I still make Match Y?": pure arithmetic over a member's situation and the rules.

`situation_from(roadmap, today)` reads the member's situation from their roadmap, which
computed every clock once (the ECFMG exam window with the passes that stopped counting, the
Step 2 CS clock, attempts); nothing here recomputes them. `check(situation, cycle)` gives a
verdict for one Match year: on track, tight or not possible, the constraint that binds, every
constraint with its dates, and the exams that must be passed again (a pass that stopped
counting, or one that would stop counting before the other exams can be passed on this plan).
`earliest_year` tries the following years. What-ifs are the same computation on a changed
copy of the situation (`dataclasses.replace`); nothing is saved. The view is
reminders/views.py `match_check`.

Figures come from the Rule records (pathways' RuleBook, by date): the USMLE attempt limit,
the days until USMLE results, the days ECFMG's J-1 sponsorship (EVSP) takes, the ECFMG exam
window. PLANNING_RULES below holds only what has no Rule yet, each with its source and
whether it still needs review. A cycle's dates carry their provenance (`MatchCycle.info`):
a verdict built on a proposed date says so.
"""

import datetime
from dataclasses import dataclass, field, replace

from lib.dates import add_months, add_years, fmt
from pathways.alerts import restriction_text
from pathways.cycles import default_dates
from pathways.models import MatchCycle, Rule, Slugs
from pathways.roadmap import Pass

ON_TRACK, TIGHT, NOT_POSSIBLE, UNKNOWN = "on_track", "tight", "not_possible", "unknown"
STATUS_LABELS = {
    ON_TRACK: "On track",
    TIGHT: "Tight",
    NOT_POSSIBLE: "Not possible",
    UNKNOWN: "Unknown",
}
SEVERITY = {ON_TRACK: 0, UNKNOWN: 0, TIGHT: 1, NOT_POSSIBLE: 2}
# Less slack than this and a plan is "tight": a product choice, not an official rule.
TIGHT_DAYS = 42
YEARS_AHEAD = 8


@dataclass(frozen=True)
class PlanningRule:
    key: str
    text: str
    source_url: str
    needs_review: bool  # only secondary sources seen


PLANNING_RULES = {
    "retake_spacing": PlanningRule(
        "retake_spacing",
        "At most 3 attempts at the same exam in 12 months; a 4th at least 12 months after the "
        "first and 6 months after the most recent.",
        "https://www.ecfmg.org/2024ib/reexamination-and-reapplication.html",
        False,
    ),
    "reported_by_rol": PlanningRule(
        "reported_by_rol",
        "ECFMG must report your exams (Step 1, Step 2 CK and, without a Step 2 CS pass, your "
        "Pathway) to NRMP by the rank order list deadline, or NRMP withdraws you from the Match.",
        "https://www.nrmp.org/residency/main-residency-match-eligibility-verification-of-credentials/",
        False,
    ),
    "pathway_deadline": PlanningRule(
        "pathway_deadline",
        "ECFMG sets a Pathway application deadline for each Match; missing it means no Match "
        "that year.",
        "https://www.ecfmg.org/certification-pathways/info-applicants.html",
        False,
    ),
    "oet_advice": PlanningRule(
        "oet_advice",
        "ECFMG advises taking the OET by the last scheduled December test date before the Match "
        "(advice, not a deadline: missing it makes a plan tight).",
        "https://www.ecfmg.org/certification-pathways/oet.html",
        True,
    ),
    "certificate_before_training": PlanningRule(
        "certificate_before_training",
        "The ECFMG Certificate is needed before residency training starts (not to apply or "
        "to rank).",
        "https://www.ecfmg.org/certification/requirements-for-certification.html",
        False,
    ),
    "entry_restriction": PlanningRule(
        "entry_restriction",
        "A presidential proclamation (in force from 1 Jan 2026) suspends US entry, or J visas, "
        "for the nationals of some countries; the portal's list is curated per country with "
        "its source and review date.",
        "https://travel.state.gov/",
        True,
    ),
    "h1b_step3": PlanningRule(
        "h1b_step3",
        "An H-1B for residency needs Step 3 passed; programs usually want it before ranking. "
        "Step 3 needs the ECFMG Certificate first.",
        "https://www.fsmb.org/step-3/step-3-information/",
        True,
    ),
}
# The exams ECFMG must report to NRMP by the rank order list deadline, and Step 3 (H-1B).
EXAMS_BY_ROL = (Slugs.STEP1, Slugs.STEP2CK)
STEP3 = Slugs.STEP3


@dataclass(frozen=True)
class Exam:
    slug: str
    title: str
    passed: bool = False
    attempts: int = 0  # attempts used without passing
    last_attempt: datetime.date | None = None
    planned: datetime.date | None = None
    first_attempt: datetime.date | None = None  # not recorded on the roadmap (yet)


@dataclass(frozen=True)
class Situation:
    today: datetime.date
    exams: dict[str, Exam]  # step-1, step-2-ck, step-3
    needs_visa: bool
    j1: bool  # J-1 or undecided: the EVSP lead time applies
    needs_h1b: bool
    needs_pathway: bool
    pathway_done: bool
    credentials_done: bool
    diploma_on: datetime.date | None  # when the final diploma is expected (what-if)
    attempt_limit: int | None
    results_days: int  # Rule usmle_results_days
    evsp_days: int  # Rule evsp_processing_days
    # ECFMG's exam window (roadmap.window): the passes still counting, earliest first, and
    # the exams that must be passed again because their pass stopped counting.
    passes: tuple[Pass, ...] = ()
    window_years: int | None = None
    window_complete: bool = False
    must_pass_again: tuple[str, ...] = ()  # "Step 1 (your pass of … stopped counting on …)"
    oet_done: bool = True  # the OET (for a Pathway) is passed or settled
    # An entry restriction on the member's nationality that closes every visa route they
    # have open (roadmap.restriction), in words, and the day it ends (None: open-ended).
    entry_blocked: str = ""
    entry_blocked_until: datetime.date | None = None

    @property
    def window_closes(self) -> datetime.date | None:
        if self.window_complete or not self.passes or self.window_years is None:
            return None
        return add_years(self.passes[0].on, self.window_years)


@dataclass(frozen=True)
class CycleDates:
    year: int
    rol_deadline: datetime.date
    match_day: datetime.date
    training_starts: datetime.date
    pathway_deadline: datetime.date | None
    proposed: bool  # a date used here is proposed, not verified (MatchCycle.info)
    proposed_labels: tuple[str, ...] = ()
    oet_by: datetime.date | None = None  # ECFMG's advice: the last December OET before the Match

    USED = ("rol_deadline", "match_day", "training_starts", "pathway_application_deadline")

    @classmethod
    def of(cls, year: int, cycles: dict[int, MatchCycle]) -> "CycleDates":
        cycle = cycles.get(year)
        if cycle is not None:
            infos = [cycle.info(name) for name in cls.USED]
            labels = tuple(i.label for i in infos if i.date is not None and i.proposed)
            return cls(
                year,
                cycle.rol_deadline,
                cycle.match_day,
                cycle.training_starts,
                cycle.pathway_application_deadline,
                bool(labels),
                labels,
                cycle.oet_recommended_by,
            )
        dates = default_dates(year)
        return cls(
            year,
            dates["rol_deadline"],
            dates["match_day"],
            dates["training_starts"],
            None,
            True,
            ("every date: no cycle recorded for this year",),
            dates["oet_recommended_by"],
        )


@dataclass
class Constraint:
    title: str
    rule: str  # a PLANNING_RULES key or a Rule key
    latest: datetime.date | None  # must happen by
    expected: datetime.date | None  # when it happens on this plan (None: cannot)
    earliest: datetime.date | None = None  # the earliest it could happen
    note: str = ""
    soft: bool = False  # advice, not a rule: missing it makes the plan tight, not impossible

    @property
    def slack(self) -> int | None:
        if self.latest is None or self.expected is None:
            return None
        return (self.latest - self.expected).days

    @property
    def days_late(self) -> int:
        return max(0, -(self.slack or 0))

    @property
    def status(self) -> str:
        if self.latest is None:
            return UNKNOWN
        if self.earliest is None and self.expected is None:
            return NOT_POSSIBLE
        earliest = self.earliest or self.expected
        if earliest > self.latest:
            return TIGHT if self.soft else NOT_POSSIBLE
        return ON_TRACK if self.slack >= TIGHT_DAYS else TIGHT

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Verdict:
    year: int
    cycle: CycleDates
    constraints: list[Constraint]
    status: str = ON_TRACK
    binding: Constraint | None = None
    rules: list[str] = field(default_factory=list)
    must_pass_again: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def earliest_attempt(
    exam: Exam, today: datetime.date, limit: int | None, results_days: int
) -> datetime.date | None:
    """The earliest date of the next attempt, or None when no attempt is left.

    After a failure: once its result is out (results_days). A 4th attempt: at least 12 months
    after the first and 6 after the most recent. The roadmap records only the latest attempt's
    date; without the first, 12 months count from the latest (later than the rule may need).
    """
    if limit is not None and exam.attempts >= limit:
        return None
    earliest = today
    last = exam.last_attempt
    if last is not None:
        earliest = max(earliest, last + datetime.timedelta(days=results_days))
        if exam.attempts >= 3:
            first = exam.first_attempt or last
            earliest = max(earliest, add_years(first, 1), add_months(last, 6))
    return earliest


def exam_constraint(exam: Exam, situation: Situation, by: datetime.date) -> Constraint:
    earliest = earliest_attempt(
        exam, situation.today, situation.attempt_limit, situation.results_days
    )
    expected = max(exam.planned, earliest) if (exam.planned and earliest) else earliest
    note = ""
    if earliest is None:
        note = f"No attempt left ({exam.attempts} used)."
    elif exam.planned and exam.planned > by >= earliest:
        note = f"Your planned date is too late; test by {fmt(by)} at the latest."
        expected = exam.planned
    return Constraint(
        title=f"{exam.title}: tested by {fmt(by)} (results reported by the ROL deadline)",
        rule="reported_by_rol",
        latest=by,
        expected=expected,
        earliest=earliest,
        note=note,
    )


def check(situation: Situation, cycle: CycleDates) -> Verdict:
    today = situation.today
    results = datetime.timedelta(days=situation.results_days)
    test_by = cycle.rol_deadline - results
    constraints = []
    results_known = []
    for slug in EXAMS_BY_ROL:
        exam = situation.exams.get(slug)
        if exam is None or exam.passed:
            continue
        constraint = exam_constraint(exam, situation, test_by)
        constraints.append(constraint)
        if constraint.expected:
            results_known.append(constraint.expected + results)
    if situation.needs_pathway and not situation.pathway_done:
        constraints.append(
            Constraint(
                title="ECFMG Pathway application deadline",
                rule="pathway_deadline",
                latest=cycle.pathway_deadline,
                expected=today,
                note=""
                if cycle.pathway_deadline
                else "ECFMG has not published it here yet: check ECFMG.",
            )
        )
    if situation.needs_pathway and not situation.oet_done and cycle.oet_by:
        constraints.append(
            Constraint(
                title=f"OET taken by {fmt(cycle.oet_by)} (ECFMG's advice, for the Pathway)",
                rule="oet_advice",
                latest=cycle.oet_by,
                expected=today,
                note="ECFMG advises the last scheduled December test date before the Match; "
                "31 December stands in for it here.",
                soft=True,
            )
        )
    # The certificate: exams reported, credentials verified; for a J-1 weeks before training.
    certificate_from = max([today, *results_known])
    if not situation.credentials_done and situation.diploma_on:
        certificate_from = max(certificate_from, situation.diploma_on)
    lead = situation.evsp_days if situation.j1 else 0
    certificate_by = cycle.training_starts - datetime.timedelta(days=lead)
    why = f" ({lead} days before training, for the J-1)" if lead else " (before training starts)"
    constraints.append(
        Constraint(
            title=f"ECFMG Certificate by {fmt(certificate_by)}{why}",
            rule=Rule.Key.EVSP_PROCESSING_DAYS if lead else "certificate_before_training",
            latest=certificate_by,
            expected=certificate_from,
            note=""
            if situation.credentials_done or situation.diploma_on
            else ("Your diploma must be verified first: enter when you expect it."),
        )
    )
    if situation.needs_h1b:
        step3 = situation.exams.get(STEP3)
        if step3 is None or not step3.passed:
            step3 = step3 or Exam(STEP3, "USMLE Step 3")
            earliest = earliest_attempt(
                step3, certificate_from, situation.attempt_limit, situation.results_days
            )
            constraints.append(
                Constraint(
                    title=f"USMLE Step 3 for the H-1B: tested by {fmt(test_by)}",
                    rule="h1b_step3",
                    latest=test_by,
                    expected=max(step3.planned, earliest)
                    if step3.planned and earliest
                    else earliest,
                    earliest=earliest,
                )
            )
    ends = situation.entry_blocked_until
    if situation.entry_blocked and (ends is None or ends > cycle.training_starts):
        constraints.append(
            Constraint(
                title="A US visa to start training",
                rule="entry_restriction",
                latest=cycle.training_starts,
                expected=None,
                note=situation.entry_blocked,
            )
        )
    open_exams = [c for c in constraints if c.rule == "reported_by_rol" and c.expected]
    closes = situation.window_closes
    if closes and open_exams:
        last = max(c.expected for c in open_exams)
        if last >= closes:
            # The earliest pass stops counting before the other exams can be passed on this
            # plan: it must be passed again. Check the plan that includes it (the passes
            # shrink at each step, so this ends).
            return check(lapse_first_pass(situation, closes), cycle)
        constraints.append(
            Constraint(
                title=f"ECFMG exam window: your {situation.passes[0].title} pass stops counting "
                f"on {fmt(closes)}",
                rule=Rule.Key.ECFMG_EXAM_WINDOW_YEARS,
                latest=closes,
                expected=last,
                note="Pass the other exams before then, or that pass must be passed again.",
            )
        )
    verdict = Verdict(cycle.year, cycle, constraints)
    verdict.must_pass_again = list(situation.must_pass_again)
    known = [c for c in constraints if c.status != UNKNOWN]
    if known:
        # The worst status binds; among equals, the one with the least slack.
        worst = max(SEVERITY[c.status] for c in known)
        candidates = [c for c in known if SEVERITY[c.status] == worst]
        binding = min(candidates, key=lambda c: c.slack if c.slack is not None else -(10**6))
        verdict.binding, verdict.status = binding, binding.status
    rules = {c.rule for c in constraints}
    if rules & {"reported_by_rol", "h1b_step3"}:
        rules |= {Rule.Key.USMLE_RESULTS_DAYS, "retake_spacing", Rule.Key.USMLE_ATTEMPT_LIMIT}
    verdict.rules = sorted(str(rule) for rule in rules)
    return verdict


def candidate_years(situation: Situation, cycles: dict[int, MatchCycle]) -> list[CycleDates]:
    years = range(situation.today.year, situation.today.year + YEARS_AHEAD)
    found = [CycleDates.of(year, cycles) for year in years]
    return [c for c in found if c.rol_deadline >= situation.today]


def earliest_year(situation: Situation, cycles: dict[int, MatchCycle]) -> Verdict | None:
    for cycle in candidate_years(situation, cycles):
        verdict = check(situation, cycle)
        if verdict.status != NOT_POSSIBLE:
            return verdict
    return None


def lapse_first_pass(situation: Situation, on: datetime.date) -> Situation:
    """The situation once the earliest counting pass(es) stop counting on `on`."""
    first = situation.passes[0].on
    lapsing = [p for p in situation.passes if p.on == first]
    exams = dict(situation.exams)
    needs_pathway = situation.needs_pathway
    for lapse in lapsing:
        if lapse.slug == Slugs.STEP2CS:
            needs_pathway = True  # the Pathway and the OET take the CS pass's place
        elif lapse.slug in exams:
            exams[lapse.slug] = replace(exams[lapse.slug], passed=False, planned=None)
    notes = tuple(
        f"{p.title} (your pass of {fmt(p.on)} would stop counting on {fmt(on)}, before "
        "the other exams can be passed)"
        for p in lapsing
    )
    return replace(
        situation,
        exams=exams,
        needs_pathway=needs_pathway,
        passes=tuple(p for p in situation.passes if p.on != first),
        must_pass_again=situation.must_pass_again + notes,
    )


def situation_from(roadmap, today: datetime.date) -> Situation:
    """A member's situation, read from their roadmap (pathways.roadmap.Roadmap)."""
    items = {i.milestone.slug: i for i in [*roadmap.items, *roadmap.hidden]}

    def exam(slug: str) -> Exam | None:
        item = items.get(slug)
        if item is None:
            return None
        p = item.progress
        passed = item.lapsed is None and (p.outcome == "passed" or p.is_done)
        failed = 0 if p.outcome == "passed" or p.is_done else p.attempts
        last = None if item.lapsed else p.completed_date
        return Exam(slug, item.milestone.title, passed, failed, last, p.planned_date)

    def done(slug: str) -> bool:
        item = items.get(slug)
        return bool(item and item.is_settled)

    profile, window, rules = roadmap.profile, roadmap.window, roadmap.rules
    cs = roadmap.step2cs
    restriction = roadmap.restriction
    blocked = restriction is not None and restriction.blocks(
        j1=profile.may_take_j1, h1b=profile.may_take_h1b
    )
    return Situation(
        today=today,
        exams={slug: e for slug in (*EXAMS_BY_ROL, STEP3) if (e := exam(slug))},
        needs_visa=profile.needs_visa,
        j1=profile.may_take_j1,
        needs_h1b=profile.visa == profile.Visa.H1B,
        needs_pathway=cs is None or not cs.counts,
        pathway_done=done(Slugs.PATHWAY),
        oet_done=done(Slugs.OET),
        credentials_done=done(Slugs.CREDENTIALS_VERIFIED),
        diploma_on=None,
        attempt_limit=rules.in_force(Rule.Key.USMLE_ATTEMPT_LIMIT, today),
        results_days=rules.in_force(Rule.Key.USMLE_RESULTS_DAYS, today) or 0,
        evsp_days=rules.in_force(Rule.Key.EVSP_PROCESSING_DAYS, today) or 0,
        passes=window.counting,
        window_years=window.years,
        window_complete=window.complete,
        must_pass_again=tuple(
            f"{lapse.title} (your pass of {fmt(lapse.passed_on)} stopped counting on "
            f"{fmt(lapse.stopped_on)})"
            for lapse in window.lapsed
            if lapse.slug != Slugs.STEP2CS
        ),
        entry_blocked=restriction_text(restriction, today=today) if blocked else "",
        entry_blocked_until=restriction.ends_on if blocked else None,
    )


def with_failure(situation: Situation, slug: str, on: datetime.date) -> Situation:
    """What if I fail this exam on that date?"""
    exam = situation.exams.get(slug)
    if exam is None:
        return situation
    first = exam.first_attempt or (on if exam.attempts == 0 else None)
    failed = replace(
        exam,
        passed=False,
        attempts=exam.attempts + 1,
        last_attempt=on,
        first_attempt=first,
        planned=None,
    )
    return replace(situation, exams={**situation.exams, slug: failed})
