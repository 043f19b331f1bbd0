"""Fit check: a program's recorded facts against the member's profile and progress.

`fit_check(program, profile, progress, today, cycle=None)` is pure: it reads only its
arguments and returns plain-language conflicts ("You need an H-1B; it sponsors J-1
only"), "ask the program" unknowns, and gaps on the member's own side (a score or
date the member has not recorded yet). Nothing is guessed: an unknown fact never
becomes a conflict.

`load_fit_inputs(user, profile)` reads what the check needs from the member's roadmap (one
query: their progress rows; the cycle comes from the curated-content cache).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from accounts.models import Visa
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


@dataclass(frozen=True)
class FitInputs:
    progress: Mapping[str, Progress]
    cycle: MatchCycle | None
    restriction: EntryRestriction | None = None  # on the member's nationality, today

    def check(self, program: Program, profile, today: datetime.date) -> "Fit":
        return fit_check(
            program, profile, self.progress, today, self.cycle, restriction=self.restriction
        )


def load_fit_inputs(user, profile, today: datetime.date) -> FitInputs:
    """The member's Step 1 / Step 2 CK / certificate progress, their cycle's dates and any
    entry restriction on their nationality, read from their roadmap's data (the one
    description of their situation)."""
    data = load_roadmap(user, profile) if profile is not None else None
    if data is None:
        return FitInputs(progress={}, cycle=None)
    by_id = {m.pk: m.slug for m in data.milestones if m.slug in FIT_SLUGS}
    progress = {by_id[pk]: row for pk, row in data.progress.items() if pk in by_id}
    return FitInputs(progress=progress, cycle=data.cycle, restriction=restriction_of(data, today))


VISA_NAMES = {Visa.J1: "a J-1", Visa.H1B: "an H-1B"}
SPONSORS = {
    Visas.NONE: "it sponsors no visas",
    Visas.J1: "it sponsors J-1 only",
    Visas.H1B: "it sponsors H-1B only",
}


def _visa(program: Program, profile, fit: Fit, restriction, today: datetime.date) -> None:
    if profile is None or not profile.needs_visa:
        return
    if program.visas == Visas.UNKNOWN:
        fit.unknowns.append("Ask the program which visas it sponsors.")
        return
    _restriction(program, restriction, fit)
    if program.visas == Visas.H1B and profile.may_take_h1b:
        fit.unknowns.append(
            "Ask whether it still files new H-1B petitions this season: a new petition for "
            "someone outside the US carries a $100,000 fee, cap-exempt hospitals included, "
            f"whose status after 21 Sep 2026 is unknown (as of {H1B_FEE_REVIEWED:%-d %b %Y})."
        )
    if program.visas == Visas.BOTH:
        return
    if profile.visa in VISA_NAMES:
        if program.visas == Visas.NONE or program.visas != profile.visa:
            need = VISA_NAMES[profile.visa]
            fit.conflicts.append(f"You need {need}; {SPONSORS[program.visas]}.")
    elif program.visas == Visas.NONE:  # undecided: any sponsorship is a chance
        fit.conflicts.append("You need a visa; it sponsors no visas.")


def _restriction(program: Program, restriction, fit: Fit) -> None:
    """An entry restriction on the member's nationality against what the program sponsors."""
    if restriction is None or program.visas == Visas.NONE:
        return
    sponsored = {
        Visas.J1: [restriction.j_visas_suspended],
        Visas.H1B: [restriction.h_visas_suspended],
        Visas.BOTH: [restriction.j_visas_suspended, restriction.h_visas_suspended],
    }[program.visas]
    if all(sponsored):
        since = f"{restriction.effective_from:%-d %b %Y}"
        reviewed = f"{restriction.last_reviewed:%-d %b %Y}"
        fit.conflicts.append(
            f"US visas it sponsors are suspended for nationals of {restriction.country.name} "
            f"since {since} (as of {reviewed}), unless an exception applies to you."
        )


def _graduation(program: Program, profile, today: datetime.date, fit: Fit) -> None:
    cutoff = program.graduation_cutoff_years
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


def _step2ck(program: Program, progress: Mapping[str, Progress], fit: Fit) -> None:
    minimum = program.step2ck_minimum
    if minimum is None:
        fit.unknowns.append("Ask the program for its Step 2 CK minimum.")
        return
    row = progress.get(STEP2CK)
    score = row.score if row is not None else None
    if score is None:
        fit.gaps.append(f"Its Step 2 CK minimum is {minimum}; you have no score recorded yet.")
    elif score < minimum:
        fit.conflicts.append(f"Your Step 2 CK {score} is below its minimum {minimum}.")


def _attempts(program: Program, progress: Mapping[str, Progress], fit: Fit) -> None:
    accepted = program.attempts_accepted
    if accepted is None:
        fit.unknowns.append("Ask the program how many USMLE attempts it accepts.")
        return
    for slug, name in [(STEP1, "Step 1"), (STEP2CK, "Step 2 CK")]:
        row = progress.get(slug)
        taken = row.attempts if row is not None else 0
        if taken > accepted:
            plural = "attempt" if accepted == 1 else "attempts"
            fit.conflicts.append(f"You took {name} {taken} times; it accepts {accepted} {plural}.")


def _usce(program: Program, fit: Fit) -> None:
    months = program.usce_months
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


def _certificate(program: Program, progress, cycle, profile, today, fit: Fit) -> None:
    needed = program.certificate_by
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
) -> Fit:
    fit = Fit()
    _graduation(program, profile, today, fit)
    _visa(program, profile, fit, restriction, today)
    _step2ck(program, progress, fit)
    _attempts(program, progress, fit)
    _usce(program, fit)
    _certificate(program, progress, cycle, profile, today, fit)
    if program.img_share is None:
        fit.unknowns.append("Ask the program what share of its residents are IMGs.")
    if program.interview_format == "unknown":
        fit.unknowns.append("Ask the program whether interviews are virtual or in person.")
    return fit
