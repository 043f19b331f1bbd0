"""Fit check: a program's facts against the member's profile and progress.

A program's facts are its *effective* facts (`effective_facts`): for a program the member
picked from the shared catalogue, each is the member's own value where they set one (not
unknown, not empty), else the catalogue's sourced value. The catalogue says J-1 and H-1B
sponsorship apart (yes / no / unknown each), so the visa check works on two tri-states.

`fit_check(program, profile, progress, today, cycle=None, catalogue=None)` is pure: it reads
only its arguments and returns plain-language conflicts ("You need an H-1B; it sponsors J-1
only"), "ask the program" unknowns, and gaps on the member's own side (a score or
date the member has not recorded yet). Nothing is guessed: an unknown fact never
becomes a conflict.

`load_fit_inputs(user, profile, today, programs)` reads what the check needs from the
member's roadmap (one query: their progress rows; the cycle comes from the curated-content
cache) and the catalogue's facts of those programs that are linked to it (one query, none
when no program is linked). A fit is computed on every view, or kept in a page cached
under a key that holds the catalogue facts' version (season_cache.py), so a changed
catalogue fact shows on the next one.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from accounts.models import Visa
from catalogue.facts import facts_by_program
from catalogue.models import UNKNOWN, YES, Fact, FactKind
from lca.evidence import Evidence, evidence_for_programs
from lib.dates import month_year
from pathways.alerts import H1B_FEE_REVIEWED
from pathways.models import EntryRestriction, MatchCycle, Progress, Slugs
from pathways.roadmap import load_roadmap, restriction_of

from .models import CertificateBy, Program, Visas

# The shipped milestones a program's requirements are about. A member who never saved one
# has no row: the check treats that as "not recorded", never as a conflict.
STEP1, STEP2CK, ECFMG_CERTIFICATE = Slugs.STEP1, Slugs.STEP2CK, Slugs.ECFMG_CERTIFICATE
FIT_SLUGS = [STEP1, STEP2CK, ECFMG_CERTIFICATE]


class Level:
    FITS = "fits"
    ASK = "ask"
    CONFLICT = "conflict"

    choices = [(FITS, "No conflict found"), (ASK, "Ask the program"), (CONFLICT, "Conflicts")]


@dataclass
class Fit:
    conflicts: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)  # "ask the program"
    gaps: list[str] = field(default_factory=list)  # the member's own missing data
    notes: list[str] = field(default_factory=list)  # evidence shown, never a conflict

    @property
    def level(self) -> str:
        if self.conflicts:
            return Level.CONFLICT
        if self.unknowns:
            return Level.ASK
        return Level.FITS

    @property
    def sort_key(self) -> tuple[int, int]:
        return (len(self.conflicts), len(self.unknowns))


# The member's visas choice as (sponsors J-1, sponsors H-1B); None is unknown.
VISA_ROUTES: dict[str, tuple[bool | None, bool | None]] = {
    Visas.UNKNOWN: (None, None),
    Visas.NONE: (False, False),
    Visas.J1: (True, False),
    Visas.H1B: (False, True),
    Visas.BOTH: (True, True),
}
# The member's number facts that the catalogue also holds (same names as FactKind values).
NUMBER_FACTS = [
    "graduation_cutoff_years",
    "step2ck_minimum",
    "attempts_accepted",
    "usce_months",
    "img_share",
]


@dataclass(frozen=True)
class Facts:
    """What the fit check reads of one program: its effective facts (None is unknown)."""

    j1: bool | None
    h1b: bool | None
    graduation_cutoff_years: int | None
    step2ck_minimum: int | None
    attempts_accepted: int | None
    usce_months: int | None
    img_share: int | None
    certificate_by: str
    interview_format: str


def _yes_no(fact: Fact | None) -> bool | None:
    if fact is None or fact.value == UNKNOWN:
        return None
    return fact.value == YES


def _number(fact: Fact | None) -> int | None:
    if fact is None or fact.value == UNKNOWN:
        return None
    return int(fact.value)


def effective_facts(program: Program, catalogue: Mapping[str, Fact] | None = None) -> Facts:
    """The member's own value of each fact where they set one, else the catalogue's
    (`catalogue`: the linked entry's facts by kind, as facts_by_program gives)."""
    catalogue = catalogue or {}
    if program.visas != Visas.UNKNOWN:
        j1, h1b = VISA_ROUTES[program.visas]
    else:
        j1, h1b = _yes_no(catalogue.get(FactKind.J1)), _yes_no(catalogue.get(FactKind.H1B))
    numbers = {}
    for name in NUMBER_FACTS:
        own = getattr(program, name)
        numbers[name] = own if own is not None else _number(catalogue.get(name))
    return Facts(
        j1=j1,
        h1b=h1b,
        certificate_by=program.certificate_by,
        interview_format=program.interview_format,
        **numbers,
    )


def member_values(program: Program) -> dict[str, str]:
    """The member's own values of the catalogue's kinds of fact, where they set one, in the
    catalogue's stored form ("yes", "220"): what the program page shows beside the
    catalogue's when they differ."""
    values = {}
    if program.visas != Visas.UNKNOWN:
        j1, h1b = VISA_ROUTES[program.visas]
        values[FactKind.J1] = "yes" if j1 else "no"
        values[FactKind.H1B] = "yes" if h1b else "no"
    for name in NUMBER_FACTS:
        if getattr(program, name) is not None:
            values[name] = str(getattr(program, name))
    return values


@dataclass(frozen=True)
class FitInputs:
    progress: Mapping[str, Progress]
    cycle: MatchCycle | None
    restriction: EntryRestriction | None = None  # on the member's nationality, today
    # The catalogue's facts of the member's linked programs: {catalogue pk: {kind: Fact}}.
    catalogue: Mapping[int, Mapping[str, Fact]] = field(default_factory=dict)
    # H-1B evidence from Labor data of the linked programs' institutions, for a member who
    # may take the H-1B: {catalogue pk: lca.evidence.Evidence or None (no data)}.
    evidence: Mapping[int, Evidence | None] = field(default_factory=dict)

    def facts_of(self, program: Program) -> Mapping[str, Fact]:
        return self.catalogue.get(program.catalogue_id, {}) if program.catalogue_id else {}

    def evidence_line(self, program: Program) -> str:
        if program.catalogue_id not in self.evidence:
            return ""
        found = self.evidence[program.catalogue_id]
        return f"{found.sentence}." if found else NO_EVIDENCE

    def check(self, program: Program, profile, today: datetime.date) -> "Fit":
        return fit_check(
            program,
            profile,
            self.progress,
            today,
            self.cycle,
            restriction=self.restriction,
            catalogue=self.facts_of(program),
            evidence=self.evidence_line(program),
        )


def load_fit_inputs(
    user, profile, today: datetime.date, programs=(), *, with_evidence: bool = True
) -> FitInputs:
    """The member's Step 1 / Step 2 CK / certificate progress, their cycle's dates and any
    entry restriction on their nationality, read from their roadmap's data (the one
    description of their situation); and the catalogue's facts of those of `programs` that
    are linked to it (one query for all; none when none is linked). `with_evidence=False`:
    no Labor-data evidence (a page showing the fits' levels and conflicts, not their notes)."""
    linked = {program.catalogue_id for program in programs if program.catalogue_id}
    catalogue = facts_by_program(linked) if linked else {}
    wants_evidence = with_evidence and linked and profile is not None and profile.may_take_h1b
    evidence = evidence_for_programs(linked) if wants_evidence else {}
    data = load_roadmap(user, profile) if profile is not None else None
    if data is None:
        return FitInputs(progress={}, cycle=None, catalogue=catalogue, evidence=evidence)
    by_id = {m.pk: m.slug for m in data.milestones if m.slug in FIT_SLUGS}
    progress = {by_id[pk]: row for pk, row in data.progress.items() if pk in by_id}
    return FitInputs(
        progress=progress,
        cycle=data.cycle,
        restriction=restriction_of(data, today),
        catalogue=catalogue,
        evidence=evidence,
    )


NO_EVIDENCE = "No Labor-data evidence of H-1B filings for this institution yet."
VISA_NAMES = {Visa.J1: "a J-1", Visa.H1B: "an H-1B"}
SPONSORS = {
    (False, False): "it sponsors no visas",
    (True, False): "it sponsors J-1 only",
    (False, True): "it sponsors H-1B only",
    (False, None): "it does not sponsor the J-1",
    (None, False): "it does not sponsor the H-1B",
}
ROUTE_NAMES = {Visa.J1: "the J-1", Visa.H1B: "the H-1B"}


def _visa(facts: Facts, profile, fit: Fit, restriction, today: datetime.date) -> None:
    """Sponsorship against the member's route, on two tri-states: a "yes" for the member's
    visa fits, a "no" conflicts, an unknown is a question for the program."""
    if profile is None or not profile.needs_visa:
        return
    j1, h1b = facts.j1, facts.h1b
    if j1 is None and h1b is None:
        fit.unknowns.append("Ask the program which visas it sponsors.")
        return
    _restriction(facts, restriction, fit)
    if h1b and not j1 and profile.may_take_h1b:
        fit.unknowns.append(
            "Ask whether it still files new H-1B petitions this season: a new petition for "
            "someone outside the US carries a $100,000 fee, cap-exempt hospitals included, "
            f"whose status after 21 Sep 2026 is unknown (as of {H1B_FEE_REVIEWED:%-d %b %Y})."
        )
    if j1 and h1b:
        return
    if profile.visa in VISA_NAMES:
        offered = j1 if profile.visa == Visa.J1 else h1b
        if offered is None:
            fit.unknowns.append(f"Ask the program whether it sponsors {ROUTE_NAMES[profile.visa]}.")
        elif not offered:
            fit.conflicts.append(f"You need {VISA_NAMES[profile.visa]}; {SPONSORS[(j1, h1b)]}.")
    elif j1 is False and h1b is False:  # undecided: any sponsorship is a chance
        fit.conflicts.append("You need a visa; it sponsors no visas.")
    elif not j1 and not h1b:  # undecided, one "no" and one unknown
        fit.unknowns.append("Ask the program which visas it sponsors.")


def _restriction(facts: Facts, restriction, fit: Fit) -> None:
    """An entry restriction on the member's nationality against what the program sponsors
    (a "yes"), or may sponsor (an unknown): a conflict only when every one is suspended."""
    if restriction is None or not (facts.j1 or facts.h1b):
        return
    possible = [
        suspended
        for offered, suspended in [
            (facts.j1, restriction.j_visas_suspended),
            (facts.h1b, restriction.h_visas_suspended),
        ]
        if offered is not False
    ]
    if all(possible):
        since = f"{restriction.effective_from:%-d %b %Y}"
        reviewed = f"{restriction.last_reviewed:%-d %b %Y}"
        fit.conflicts.append(
            f"US visas it sponsors are suspended for nationals of {restriction.country.name} "
            f"since {since} (as of {reviewed}), unless an exception applies to you."
        )


def _graduation(facts: Facts, profile, today: datetime.date, fit: Fit) -> None:
    cutoff = facts.graduation_cutoff_years
    if cutoff is None:
        fit.unknowns.append("Ask the program whether it has a year-of-graduation cut-off.")
        return
    year = profile.graduation_year if profile is not None else None
    if year is None:
        fit.gaps.append(
            f"Its year-of-graduation cut-off is {cutoff} years; add your graduation year."
        )
        return
    # Counted in the year the member applies: ERAS opens in June of the year before Match.
    applying = today.year
    if profile.match_year:
        applying = max(applying, profile.match_year - 1)
    if applying - year > cutoff:
        fit.conflicts.append(f"You graduated in {year}; this program's cut-off is {cutoff} years.")


def _step2ck(facts: Facts, progress: Mapping[str, Progress], fit: Fit) -> None:
    minimum = facts.step2ck_minimum
    if minimum is None:
        fit.unknowns.append("Ask the program for its Step 2 CK minimum.")
        return
    row = progress.get(STEP2CK)
    score = row.score if row is not None else None
    if score is None:
        fit.gaps.append(f"Its Step 2 CK minimum is {minimum}; you have no score recorded yet.")
    elif score < minimum:
        fit.conflicts.append(f"Your Step 2 CK {score} is below its minimum {minimum}.")


def _attempts(facts: Facts, progress: Mapping[str, Progress], fit: Fit) -> None:
    accepted = facts.attempts_accepted
    if accepted is None:
        fit.unknowns.append("Ask the program how many USMLE attempts it accepts.")
        return
    for slug, name in [(STEP1, "Step 1"), (STEP2CK, "Step 2 CK")]:
        row = progress.get(slug)
        taken = row.attempts if row is not None else 0
        if taken > accepted:
            plural = "attempt" if accepted == 1 else "attempts"
            fit.conflicts.append(f"You took {name} {taken} times; it accepts {accepted} {plural}.")


def _usce(facts: Facts, fit: Fit) -> None:
    months = facts.usce_months
    if months is None:
        fit.unknowns.append("Ask the program how much US clinical experience it requires.")
    elif months:
        fit.gaps.append(
            f"It requires {months} months of US clinical experience: check yours "
            "(the portal does not record it)."
        )


def day_month_year(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def cycle_date(cycle: MatchCycle, field: str) -> tuple[datetime.date | None, str]:
    """A date of the member's Match cycle and how to write it: a date that has not been
    checked against an official page (computed or entered, see MatchCycle.info) is
    "about …, not yet confirmed"."""
    info = cycle.info(field)
    if info.date is None:
        return None, ""
    text = day_month_year(info.date)
    return info.date, (f"about {text}, not yet confirmed" if info.proposed else text)


def _certificate(facts: Facts, progress, cycle, profile, today, fit: Fit) -> None:
    needed = facts.certificate_by
    if needed == CertificateBy.UNKNOWN:
        fit.unknowns.append("Ask the program by when it needs your ECFMG certificate.")
        return
    row = progress.get(ECFMG_CERTIFICATE)
    if row is not None and row.is_done:
        return
    planned = row.planned_date if row is not None else None
    expected = (
        f"your certificate is expected in {month_year(planned, today)}"
        if planned
        else "you have no date for your certificate yet"
    )
    if needed == CertificateBy.APPLICATION:
        submit, when = cycle_date(cycle, "applicants_may_submit") if cycle else (None, "")
        if planned is None or submit is None or planned > submit:
            at = f" (applicants may submit from {when})" if when else ""
            fit.conflicts.append(f"It needs ECFMG certification at application{at}; {expected}.")
        return
    if needed == CertificateBy.RANKING:
        by, when = cycle_date(cycle, "rol_deadline") if cycle else (None, "")
        label = "the rank order list deadline"
    else:
        year = profile.match_year if profile is not None else None
        if cycle:
            by, when = cycle_date(cycle, "training_starts")
        else:  # no cycle on record: residency training starts on 1 July of the Match year
            by = datetime.date(year, 7, 1) if year else None
            when = f"about {day_month_year(by)}, not yet confirmed" if by else ""
        label = "the start of training"
    if planned is None:
        fit.conflicts.append(f"It needs ECFMG certification by {label}; {expected}.")
    elif by is None:
        fit.gaps.append(
            f"It needs ECFMG certification by {label}; add your target Match year to compare."
        )
    elif planned > by:
        fit.conflicts.append(f"It needs ECFMG certification by {label} ({when}); {expected}.")


def fit_check(
    program: Program,
    profile,
    progress: Mapping[str, Progress],
    today: datetime.date,
    cycle: MatchCycle | None = None,
    *,
    restriction: EntryRestriction | None = None,
    catalogue: Mapping[str, Fact] | None = None,
    evidence: str = "",
) -> Fit:
    """`catalogue`: the facts of the program's catalogue entry, by kind (none for a
    private program); the member's own values win where set. Step 1 minimums and notes
    are shown on the program page, never checked (Step 1 is pass/fail)."""
    facts = effective_facts(program, catalogue)
    fit = Fit()
    _graduation(facts, profile, today, fit)
    _visa(facts, profile, fit, restriction, today)
    if evidence and profile is not None and profile.may_take_h1b and facts.h1b is not False:
        fit.notes.append(evidence)  # what the Labor data says of its H-1B filings
    _step2ck(facts, progress, fit)
    _attempts(facts, progress, fit)
    _usce(facts, fit)
    _certificate(facts, progress, cycle, profile, today, fit)
    if facts.img_share is None:
        fit.unknowns.append("Ask the program what share of its residents are IMGs.")
    if facts.interview_format == "unknown":
        fit.unknowns.append("Ask the program whether interviews are virtual or in person.")
    return fit
