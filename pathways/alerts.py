"""Clocks and warnings on a member's roadmap: pure functions of the roadmap and today.

ECFMG explicitly does not warn applicants near its limits, so these alerts are a core
feature. Each function returns a list of Alert; `compute_alerts` gathers them, most
serious first. The figures (attempt limit, passing scores, OET minimums, the seven-year
window, the J-1 maximum, lead times) come from the Rule records, by date; their sources are
in docs/sources.md. A date of the Match cycle that is proposed, not
verified, is written "about <date>, not yet confirmed" and never raises a danger alert on
its own. Milestones a member marked not applicable raise no visa alert.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accounts.models import Visa
from lib.dates import add_years, federal_fiscal_year, fmt
from pathways.models import CycleDateInfo, Milestone, Progress, Rule, Slugs

if TYPE_CHECKING:
    from pathways.roadmap import Item, Roadmap

EXPIRY_WARNING_DAYS = 180
WINDOW_WARNING_DAYS = 365
DEADLINE_DANGER_DAYS = 30
TARGET_WARNING_DAYS = 60
LEVELS = {"danger": 0, "warning": 1, "info": 2}
# Official pages named in the season review, linked where the portal knows no date.
PATHWAY_INFO_URL = "https://www.ecfmg.org/certification-pathways/info-applicants.html"
PERMANENT_VALIDATION_URL = "https://www.ecfmg.org/certification-pathways/permanent-validation.html"
# ECFMG's announcement of the 2026 Pathways "for ECFMG Certification and Pathways
# Revalidation" (19 Aug 2025): revalidation of Pathways that have expired or are about to.
# Where a member checks what applies today (the restriction's own source is linked on the alert).
STATE_DEPARTMENT_URL = "https://travel.state.gov/"
PATHWAYS_REVALIDATION_URL = (
    "https://www.ecfmg.org/news/2025/08/19/"
    "detailed-information-and-online-application-for-2026-pathways-now-available"
)
# The H-1B $100,000 fee as it stands (season review C and F; docs/sources.md), reviewed on
# H1B_FEE_REVIEWED. USCIS's H-1B page, not the bare home page (review F).
H1B_FEE_URL = "https://www.uscis.gov/working-in-the-united-states/h-1b-specialty-occupations"
H1B_FEE_REVIEWED = datetime.date(2026, 12, 5)
H1B_FEE_FACTS = (
    "A proclamation of 19 Sep 2025 added a one-time $100,000 fee for new H-1B petitions, in "
    "force from 21 Sep 2025 for 12 months. USCIS guidance of 20 Oct 2025 (secondary sources) "
    "applies it to petitions for people outside the US or with consular notification, not to "
    "an approved change of status inside the US (for example J-1 to H-1B after a Conrad 30 "
    "waiver). A district court upheld the fee on 23 Dec 2025 (Chamber of Commerce v. DHS); "
    "the outcome of the appeal is not known here. USCIS grants exceptions case by case, with "
    "no blanket exemption for physicians, and the fee applies to cap-exempt teaching hospitals "
    "too; in January 2026 a quarter of one hospital association's members had paused or "
    "limited H-1B recruitment. Whether it applies after 21 Sep 2026 is unknown here "
    f"(last reviewed {fmt(H1B_FEE_REVIEWED)})."
)


@dataclass(frozen=True)
class Alert:
    level: str  # danger, warning or info
    title: str
    message: str
    milestone: Milestone | None = None
    url: str = ""  # an official page to check, where the portal cannot say more


def compute_alerts(roadmap: Roadmap) -> list[Alert]:
    alerts = [
        *attempts_left(roadmap),
        *step2cs_clock(roadmap),
        *seven_year_clock(roadmap),
        *pathway_deadline(roadmap),
        *lead_time_targets(roadmap),
        *passing_scores(roadmap),
        *certificate_expiry(roadmap),
        *oet_validity(roadmap),
        *nrmp_withdrawal(roadmap),
        *j1_maximum(roadmap),
        *j1_home_requirement(roadmap),
        *conrad30_fiscal_year(roadmap),
        *h1b_fee(roadmap),
        *entry_restriction(roadmap),
    ]
    return sorted(alerts, key=lambda alert: LEVELS[alert.level])


def when(info: CycleDateInfo) -> str:
    """A cycle date as members read it: "3 Mar 2027" or "about 3 Mar 2027, not yet confirmed"."""
    if info.proposed:
        return f"about {fmt(info.date)}, not yet confirmed"
    return fmt(info.date)


def passed(progress: Progress) -> bool:
    return progress.outcome == Progress.Outcome.PASSED


def attempts_left(roadmap: Roadmap) -> list[Alert]:
    limit = roadmap.rules.in_force(Rule.Key.USMLE_ATTEMPT_LIMIT, roadmap.today)
    if limit is None:
        return []
    alerts = []
    for item in roadmap.items:
        progress = item.progress
        if not item.milestone.counts_attempts or not progress.attempts or passed(progress):
            continue
        left = max(0, limit - progress.attempts)
        used = f"{progress.attempts} of {limit} attempts used"
        if left == 0:
            level, title = "danger", f"{item.milestone.title}: no attempts left"
            message = (
                f"{progress.attempts} attempts without a pass. With {limit} or more attempts on "
                "any Step or Step Component (Step 2 CS included) without passing, USMLE makes "
                "you ineligible for every Step, Step 3 included."
            )
        else:
            level = "warning" if left == 1 else "info"
            title = f"{item.milestone.title}: {left} attempt{'s' if left > 1 else ''} left"
            message = f"{used}. USMLE allows {limit} attempts per Step, incomplete ones included."
        alerts.append(Alert(level, title, message, item.milestone))
    return alerts


def seven_year_clock(roadmap: Roadmap) -> list[Alert]:
    """ECFMG's window (roadmap.window): passes that stopped counting, or the clock running."""
    window = roadmap.window
    years = window.years
    if years is None:
        return []
    names = [title_of(roadmap, slug) for slug in window.still_to_pass]
    exam_lapses = [lapse for lapse in window.lapsed if lapse.slug != Slugs.STEP2CS]
    rule = (
        f"Every exam ECFMG certification needs must be passed within {years} years of your "
        "earliest pass still counting; when that does not happen, the earliest pass stops "
        "counting and the clock restarts from the next one. ECFMG does not send a reminder."
    )
    if exam_lapses:
        stopped = "; ".join(
            f"{lapse.title}: passed on {fmt(lapse.passed_on)}, stopped counting on "
            f"{fmt(lapse.stopped_on)}"
            for lapse in window.lapsed
        )
        retake = ", ".join(dict.fromkeys(lapse.title for lapse in exam_lapses))
        message = f"{stopped}. {rule} To pass again or still to pass: {', '.join(names)}."
        closed = fmt(exam_lapses[0].stopped_on)
        title = f"ECFMG {years}-year window closed on {closed}; back on your list: {retake}"
        milestone = item_milestone(roadmap, exam_lapses[0].slug)
        return [Alert("danger", title, message, milestone)]
    closes, first = window.closes_on, window.first
    if closes is None or first is None or not names:
        return []
    days = (closes - roadmap.today).days
    message = (
        f"Your earliest pass still counting is {first.title}, on {fmt(first.on)}: it stops "
        f"counting on {fmt(closes)} unless you pass {', '.join(names)} by then. {rule}"
    )
    level = "warning" if days <= WINDOW_WARNING_DAYS else "info"
    title = f"ECFMG {years}-year window: exams by {fmt(closes)} ({days} days left)"
    return [Alert(level, title, message, item_milestone(roadmap, window.still_to_pass[0]))]


def title_of(roadmap: Roadmap, slug: str) -> str:
    item = roadmap.item(slug)
    return item.milestone.title if item else slug


def item_milestone(roadmap: Roadmap, slug: str) -> Milestone | None:
    item = roadmap.item(slug)
    return item.milestone if item else None


def passing_scores(roadmap: Roadmap) -> list[Alert]:
    alerts = []
    for item in roadmap.items:
        rule, progress = item.milestone.passing_score_rule, item.progress
        if not rule or progress.score is None:
            continue
        if progress.completed_date is None:
            message = "Enter your test date: the passing score depends on it."
            alerts.append(Alert("warning", f"{item.milestone.title}: test date missing", message))
            continue
        passing = roadmap.rules.in_force(rule, progress.completed_date)
        if passing is None:
            continue
        on = f"the passing score in force on {fmt(progress.completed_date)}"
        if progress.score >= passing:
            title = f"{item.milestone.title}: {progress.score} passes"
            message = f"Your score of {progress.score} meets {passing}, {on}."
            alerts.append(Alert("info", title, message, item.milestone))
        else:
            title = f"{item.milestone.title}: {progress.score} is below the passing score"
            message = f"Your score of {progress.score} is below {passing}, {on}."
            alerts.append(Alert("danger", title, message, item.milestone))
    return alerts


def certificate_expiry(roadmap: Roadmap) -> list[Alert]:
    """Pathway-based certificates expire until permanently validated (ECFMG, season review C)."""
    gme = roadmap.by_slug().get(Slugs.GME_YEARS)
    expiring = [i for i in roadmap.items if i.milestone.records_expiry and i.progress.expires_on]
    if gme and gme.is_done:
        if roadmap.profile.visa == Visa.J1 or not expiring:
            return []  # automatic for ECFMG-sponsored J-1 physicians after the training
        message = (
            "Permanent validation is automatic only for ECFMG-sponsored J-1 physicians after "
            "the required ACGME training. Others (for example on an H-1B) must request it; a "
            "full unrestricted US licence also qualifies."
        )
        title = "Pathway certificate: request permanent validation"
        return [Alert("info", title, message, expiring[0].milestone, PERMANENT_VALIDATION_URL)]
    alerts = []
    for item in expiring:
        expires = item.progress.expires_on
        days = (expires - roadmap.today).days
        permanent = (
            "It becomes valid indefinitely once permanently validated after the required "
            "ACGME training: automatically for ECFMG-sponsored J-1 physicians, on request for "
            "others (for example H-1B); a full unrestricted US licence also qualifies."
        )
        url = PERMANENT_VALIDATION_URL
        if days < 0:
            title = f"{item.milestone.title}: expired on {fmt(expires)}"
            level = "danger"
        else:
            title = f"{item.milestone.title}: expires on {fmt(expires)} ({days} days left)"
            level = "warning" if days <= EXPIRY_WARNING_DAYS else "info"
        message = f"A certificate granted through a Pathway expires. {permanent}"
        if days <= EXPIRY_WARNING_DAYS:
            message += (
                " ECFMG also runs a Pathways revalidation process for Pathways that have "
                "expired or are about to (announced with the 2026 Pathways, 19 Aug 2025)."
            )
            url = PATHWAYS_REVALIDATION_URL
        alerts.append(Alert(level, title, message, item.milestone, url))
    return alerts


def oet_validity(roadmap: Roadmap) -> list[Alert]:
    item = roadmap.by_slug().get(Slugs.OET)
    if item is None:
        return []
    progress, alerts = item.progress, []
    cycle = roadmap.cycle
    taken = progress.completed_date
    if taken and cycle and cycle.oet_valid_from and taken < cycle.oet_valid_from:
        cutoff = cycle.info("oet_valid_from")
        title = f"OET may be too old for the {cycle.year} Match"
        message = (
            f"Your OET from {fmt(taken)} is older than the Pathway season for the {cycle.year} "
            f"Match accepts: it must be taken on or after {when(cutoff)}."
        )
        # A proposed cut-off informs; only a verified one is a danger.
        level = "info" if cutoff.proposed else "danger"
        if not cutoff.proposed:
            title = f"OET too old for the {cycle.year} Match"
        url = "https://www.ecfmg.org/certification-pathways/oet.html"
        alerts.append(Alert(level, title, message, item.milestone, url))
    below = oet_below_minimum(progress, roadmap.rules, taken or roadmap.today)
    if below:
        message = "ECFMG's minimums: " + ", ".join(below) + ", all in one sitting."
        alerts.append(Alert("warning", "OET below ECFMG's minimum", message, item.milestone))
    elif not progress.oet_single_sitting and progress.oet_listening is not None:
        message = "ECFMG needs all four minimum scores reached in one sitting."
        alerts.append(
            Alert("warning", "OET scores from more than one sitting", message, item.milestone)
        )
    return alerts


def oet_below_minimum(progress: Progress, rules, on: datetime.date) -> list[str]:
    """The sub-scores below ECFMG's minimum on that test date, as 'Writing 280 < 300'."""
    parts = [
        ("Listening", progress.oet_listening, Rule.Key.OET_MIN_LISTENING),
        ("Reading", progress.oet_reading, Rule.Key.OET_MIN_READING),
        ("Writing", progress.oet_writing, Rule.Key.OET_MIN_WRITING),
        ("Speaking", progress.oet_speaking, Rule.Key.OET_MIN_SPEAKING),
    ]
    below = []
    for label, score, key in parts:
        minimum = rules.in_force(key, on)
        if score is not None and minimum is not None and score < minimum:
            below.append(f"{label} {score} < {minimum}")
    return below


def nrmp_withdrawal(roadmap: Roadmap) -> list[Alert]:
    cycle = roadmap.cycle
    if cycle is None or roadmap.today > cycle.match_day:
        return []
    missing: list[Item] = [
        i for i in roadmap.items if i.milestone.reported_to_nrmp and not i.is_done
    ]
    if not missing:
        return []
    names = ", ".join(i.milestone.title for i in missing)
    rol = cycle.info("rol_deadline")
    days = (rol.date - roadmap.today).days
    message = (
        f"If ECFMG has not reported your exams to NRMP by the rank order list deadline "
        f"({when(rol)}), NRMP withdraws you from the Match and does not use your list. You "
        f"can still create and certify your list before then. Still open: {names}."
    )
    if days < 0:
        title = f"The {cycle.year} rank order list deadline has passed"
        return [Alert("danger", title, message, missing[0].milestone)]
    level = "danger" if days <= DEADLINE_DANGER_DAYS and not rol.proposed else "warning"
    about = "about " if rol.proposed else ""
    title = f"{about}{days} days until the {cycle.year} rank order list deadline"
    return [Alert(level, title[0].upper() + title[1:], message, missing[0].milestone)]


def applying(roadmap: Roadmap, slug: str) -> Item | None:
    """The milestone's item if it is on the roadmap and not marked not applicable."""
    item = roadmap.by_slug().get(slug)
    if item is None or item.progress.status == Progress.Status.NOT_APPLICABLE:
        return None
    return item


def j1_maximum(roadmap: Roadmap) -> list[Alert]:
    """The J-1 for clinical training lasts at most j1_max_years from the start of training.

    Counted from the DS-2019 programme start, not from when sponsorship was granted: here the
    training start of the member's Match year, once they hold J-1 sponsorship.
    """
    item = applying(roadmap, Slugs.J1_EVSP)
    if item is None or not item.is_done or roadmap.cycle is None:
        return []
    start = roadmap.cycle.training_starts
    years = roadmap.rules.in_force(Rule.Key.J1_MAX_YEARS, start)
    if years is None:
        return []
    ends = add_years(start, years)
    days = (ends - roadmap.today).days
    message = (
        f"A J-1 for clinical training lasts at most {years} years, counted from the start of "
        f"J-1 training (your DS-2019 programme start; {fmt(start)} for the {roadmap.cycle.year} "
        f"Match), so yours ends by {fmt(ends)} at the latest. Sponsorship is renewed every year."
    )
    if days < 0:
        title = f"J-1 {years}-year maximum reached on {fmt(ends)}"
        return [Alert("danger", title, message, item.milestone)]
    level = "warning" if days <= WINDOW_WARNING_DAYS else "info"
    title = f"J-1 {years}-year maximum: ends by {fmt(ends)}"
    return [Alert(level, title, message, item.milestone)]


def j1_home_requirement(roadmap: Roadmap) -> list[Alert]:
    """A J-1 holder without a Conrad 30 waiver still owes two years in the home country."""
    j1 = applying(roadmap, Slugs.J1_EVSP)
    if j1 is None or not j1.is_done:
        return []
    conrad = roadmap.by_slug().get(Slugs.CONRAD30)
    if conrad and conrad.is_done:
        return []
    message = (
        "A J-1 through ECFMG's EVSP always carries the two-year home-country physical-presence "
        "requirement of INA §212(e). To stay in the US after training you need a waiver of it, "
        "such as Conrad 30 (a waiver, not a visa)."
    )
    title = "J-1 two-year home-country requirement: no waiver yet"
    return [Alert("info", title, message, (conrad or j1).milestone)]


def conrad30_fiscal_year(roadmap: Roadmap) -> list[Alert]:
    item = applying(roadmap, Slugs.CONRAD30)
    if item is None or item.is_done:
        return []
    planned = item.progress.planned_date
    if item.progress.status != Progress.Status.IN_PROGRESS and planned is None:
        return []
    if planned and planned > roadmap.today:
        on, when = planned, f"Your planned date, {fmt(planned)}, falls"
    else:
        on, when = roadmap.today, "Today falls"
    year = federal_fiscal_year(on)
    runs = f"{fmt(datetime.date(year - 1, 10, 1))} – {fmt(datetime.date(year, 9, 30))}"
    message = (
        f"{when} in federal fiscal year {year}. Each state health department may recommend up "
        "to 30 waivers per fiscal year. Once approved, you must start 3 years of full-time work "
        "in H-1B status in an underserved area (HPSA, MUA or MUP) within 90 days."
    )
    title = f"Conrad 30: fiscal year {year} ({runs})"
    return [Alert("info", title, message, item.milestone)]


def h1b_fee(roadmap: Roadmap) -> list[Alert]:
    item = applying(roadmap, Slugs.H1B)
    if item is None or item.is_done:
        return []
    message = f"{H1B_FEE_FACTS} Check USCIS and ask each program before you rely on an H-1B."
    title = "H-1B: $100,000 fee for new petitions (status after 21 Sep 2026 unknown)"
    return [Alert("warning", title, message, item.milestone, H1B_FEE_URL)]


def step2cs_clock(roadmap: Roadmap) -> list[Alert]:
    """A former Step 2 CS pass stops counting seven years on unless the exams are complete."""
    cs = roadmap.step2cs
    if cs is None or cs.exams_complete:
        return []
    if cs.passed_on is None:
        message = (
            "A Step 2 CS pass stops counting for ECFMG seven years after it, unless you have "
            "passed Step 1 and Step 2 CK by then. Add the month you passed in your settings "
            "so your roadmap can follow that clock."
        )
        return [Alert("warning", "When did you pass Step 2 CS?", message)]
    if cs.counts_until is None:
        return []
    until, days = cs.counts_until, (cs.counts_until - roadmap.today).days
    if not cs.counts:
        message = (
            f"Your Step 2 CS pass stopped counting for ECFMG on {fmt(until)}: your exams were "
            "not all passed within seven years of it. You now need the OET and an ECFMG "
            "Pathway; they are back on your roadmap, with anything you had entered."
        )
        return [Alert("danger", f"Step 2 CS pass stopped counting on {fmt(until)}", message)]
    message = (
        f"Your Step 2 CS pass (month {cs.passed_on:%b %Y}) counts for ECFMG only until "
        f"{fmt(until)}, seven years on, unless you pass Step 1 and Step 2 CK by then. After "
        "that you need the OET and an ECFMG Pathway; your roadmap adds them on that day."
    )
    level = "warning" if days <= WINDOW_WARNING_DAYS else "info"
    title = f"Step 2 CS pass counts until {fmt(until)} ({days} days left)"
    return [Alert(level, title, message)]


def pathway_deadline(roadmap: Roadmap) -> list[Alert]:
    """ECFMG sets a Pathway deadline per Match; missing it means no Match that year."""
    item = roadmap.by_slug().get(Slugs.PATHWAY)
    cycle = roadmap.cycle
    if item is None or item.is_settled or cycle is None or roadmap.today > cycle.match_day:
        return []
    if cycle.pathway_application_deadline is None:
        message = (
            "ECFMG sets a Pathway application deadline for each Match, and it can move (for "
            "the 2024 Match it was reopened to 15 Feb 2024 after 31 Dec 2023). It has not been "
            f"published here yet for the {cycle.year} Match: check ECFMG's Pathways page and "
            "apply early."
        )
        title = f"Pathway deadline for the {cycle.year} Match: not published here yet"
        return [Alert("info", title, message, item.milestone, PATHWAY_INFO_URL)]
    info = cycle.info("pathway_application_deadline")
    days = (info.date - roadmap.today).days
    message = (
        f"The Pathway application for the {cycle.year} Match closes {when(info)}. Missing it "
        "means no Match that year; incomplete applications are rejected."
    )
    if days < 0:
        title = f"The Pathway deadline for the {cycle.year} Match has passed"
        return [Alert("danger", title, message, item.milestone, PATHWAY_INFO_URL)]
    level = "danger" if days <= DEADLINE_DANGER_DAYS and info.verified else "warning"
    about = "about " if info.proposed else ""
    title = f"Pathway deadline: {about}{days} days left"
    return [Alert(level, title, message, item.milestone, PATHWAY_INFO_URL)]


def lead_time_targets(roadmap: Roadmap) -> list[Alert]:
    """Targets ahead of hard deadlines (e.g. test by this date so results reach NRMP)."""
    alerts = []
    for item in roadmap.items:
        if item.target is None or item.is_settled or item.deadline < roadmap.today:
            continue
        days = (item.target - roadmap.today).days
        if days > TARGET_WARNING_DAYS:
            continue
        about = "about " if item.deadline_proposed else ""
        target = f"{about}{fmt(item.target)}"
        message = (
            f"{item.milestone.lead_time_note} The deadline itself is {when(item.deadline_info)} "
            f"({item.deadline_label})."
        )
        if days < 0:
            title = f"{item.milestone.title}: target date {target} has passed"
        else:
            title = f"{item.milestone.title}: aim for {target} ({days} days left)"
        alerts.append(Alert("warning", title, message, item.milestone))
    return alerts


def restriction_text(restriction, *, today: datetime.date) -> str:
    """What a restriction suspends, sourced and dated, as members read it: the one wording
    shared by the alert, the visa milestones, the fit check and the Match check."""
    if restriction.kind == restriction.Kind.FULL:
        what = "entry on immigrant and nonimmigrant visas, the J-1 and the H-1B included"
    else:
        what = "J visas (with immigrant, B, F and M visas); H visas are not named"
    text = (
        f"As of {fmt(restriction.last_reviewed)}: the {restriction.measure[0].lower()}"
        f"{restriction.measure[1:]} suspends {what} for nationals of "
        f"{restriction.country.name}, from {fmt(restriction.effective_from)}. Visas issued "
        "before then are not revoked, and other exceptions exist (for example travel on "
        "another nationality's passport)."
    )
    if restriction.note:
        text += f" {restriction.note}"
    if restriction.is_stale(today):
        text += (
            f" This was last reviewed more than 90 days ago ({fmt(restriction.last_reviewed)}): "
            "it may be out of date."
        )
    return text + " Check the State Department's current page."


def entry_restriction(roadmap: Roadmap) -> list[Alert]:
    """A curated entry restriction on the member's nationality (roadmap.restriction)."""
    restriction = roadmap.restriction
    if restriction is None:
        return []
    profile = roadmap.profile
    blocked = restriction.blocks(j1=profile.may_take_j1, h1b=profile.may_take_h1b)
    message = restriction_text(restriction, today=roadmap.today)
    if blocked:
        message += (
            " With no other visa route open to you, this decides whether you can start "
            "residency in the US: ask ECFMG and each program before you rely on a visa."
        )
    else:
        message += " The H-1B route is not named: check that each program sponsors it."
    suspended = (
        "entry suspended" if restriction.kind == restriction.Kind.FULL else "J visas suspended"
    )
    title = f"US entry restriction for nationals of {restriction.country.name}: {suspended}"
    slug = Slugs.J1_EVSP if profile.may_take_j1 else Slugs.H1B
    level = "danger" if blocked else "warning"
    return [Alert(level, title, message, item_milestone(roadmap, slug), STATE_DEPARTMENT_URL)]
