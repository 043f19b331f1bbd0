"""The fit check is a pure function of (program, profile, progress, today, cycle)."""

import datetime

from accounts.models import Profile
from applications.fit import Level, fit_check
from applications.models import CertificateBy, Program, Visas
from pathways.models import MatchCycle, Progress

TODAY = datetime.date(2026, 5, 10)


def profile(**fields) -> Profile:
    defaults = {"graduation_year": 2019, "visa": "h1b", "match_year": 2027}
    return Profile(**{**defaults, **fields})


def program(**facts) -> Program:
    return Program(name="Metro Hospital", specialty="Internal Medicine", **facts)


def progress(**by_slug) -> dict[str, Progress]:
    return {slug.replace("_", "-"): Progress(**fields) for slug, fields in by_slug.items()}


KNOWN = {
    "visas": Visas.BOTH,
    "graduation_cutoff_years": 10,
    "step2ck_minimum": 200,
    "attempts_accepted": 3,
    "usce_months": 0,
    "certificate_by": CertificateBy.START,
    "img_share": 40,
    "interview_format": "virtual",
}
CYCLE = MatchCycle(
    year=2027,
    eras_opens=datetime.date(2026, 6, 3),
    applicants_may_submit=datetime.date(2026, 9, 2),
    rol_deadline=datetime.date(2027, 3, 3),
    match_day=datetime.date(2027, 3, 19),
    training_starts=datetime.date(2027, 7, 1),
)
DONE = {"step_2_ck": {"score": 240, "attempts": 1}, "ecfmg_certificate": {"status": "done"}}


def check(prog, prof=None, prog_rows=None, cycle=CYCLE):
    return fit_check(
        prog,
        prof or profile(),
        progress(**(DONE if prog_rows is None else prog_rows)),
        TODAY,
        cycle,
    )


def test_everything_known_and_met_fits():
    fit = check(program(**KNOWN))
    assert fit.conflicts == [] and fit.unknowns == []
    assert fit.level == Level.FITS


def test_graduation_cutoff_is_named_in_plain_words():
    fit = check(program(**{**KNOWN, "graduation_cutoff_years": 5}))
    assert fit.conflicts == ["You graduated in 2019; this program's cut-off is 5 years."]
    assert fit.level == Level.CONFLICT


def test_graduation_cutoff_counts_to_the_application_year():
    # Applying in 2026 (Match 2027): 2021 graduates are 5 years out, within a 5-year cut-off.
    fit = check(program(**{**KNOWN, "graduation_cutoff_years": 5}), profile(graduation_year=2021))
    assert fit.conflicts == []
    fit = check(program(**{**KNOWN, "graduation_cutoff_years": 5}), profile(graduation_year=2020))
    assert len(fit.conflicts) == 1


def test_visa_conflicts():
    j1_only = program(**{**KNOWN, "visas": Visas.J1})
    assert check(j1_only).conflicts == ["You need an H-1B; it sponsors J-1 only."]
    assert check(j1_only, profile(visa="j1")).conflicts == []
    assert check(j1_only, profile(visa="none")).conflicts == []
    assert check(j1_only, profile(visa="undecided")).conflicts == []
    no_visa = program(**{**KNOWN, "visas": Visas.NONE})
    assert check(no_visa, profile(visa="j1")).conflicts == ["You need a J-1; it sponsors no visas."]
    assert check(no_visa, profile(visa="undecided")).conflicts == [
        "You need a visa; it sponsors no visas."
    ]
    h1b_only = program(**{**KNOWN, "visas": Visas.H1B})
    assert check(h1b_only, profile(visa="j1")).conflicts == [
        "You need a J-1; it sponsors H-1B only."
    ]


def test_step2ck_below_minimum():
    rows = {**DONE, "step_2_ck": {"score": 221, "attempts": 1}}
    fit = check(program(**{**KNOWN, "step2ck_minimum": 225}), prog_rows=rows)
    assert fit.conflicts == ["Your Step 2 CK 221 is below its minimum 225."]
    fit = check(program(**{**KNOWN, "step2ck_minimum": 221}), prog_rows=rows)
    assert fit.conflicts == []


def test_no_score_yet_is_a_gap_not_a_conflict():
    fit = check(program(**{**KNOWN, "step2ck_minimum": 225}), prog_rows={})
    assert not any("Step 2 CK" in line for line in fit.conflicts)
    assert "Its Step 2 CK minimum is 225; you have no score recorded yet." in fit.gaps


def test_attempts_over_the_limit():
    rows = {**DONE, "step_1": {"attempts": 2}}
    fit = check(program(**{**KNOWN, "attempts_accepted": 1}), prog_rows=rows)
    assert fit.conflicts == ["You took Step 1 2 times; it accepts 1 attempt."]


def test_certificate_at_application_when_expected_later():
    rows = {
        "step_2_ck": {"score": 240},
        "ecfmg_certificate": {"planned_date": TODAY.replace(month=5, day=20)},
    }
    fit = check(program(**{**KNOWN, "certificate_by": CertificateBy.APPLICATION}), prog_rows=rows)
    # Planned before ERAS submission opens (2 Sep 2026): no conflict.
    assert fit.conflicts == []
    rows["ecfmg_certificate"] = {"planned_date": datetime.date(2027, 5, 1)}
    fit = check(program(**{**KNOWN, "certificate_by": CertificateBy.APPLICATION}), prog_rows=rows)
    # The cycle's date has not been checked against an official page: said so.
    assert fit.conflicts == [
        "It needs ECFMG certification at application (applicants may submit from about "
        "2 Sep 2026, not yet confirmed); your certificate is expected in May 2027."
    ]
    rows["ecfmg_certificate"] = {"planned_date": datetime.date(2026, 11, 1)}
    fit = check(program(**{**KNOWN, "certificate_by": CertificateBy.APPLICATION}), prog_rows=rows)
    assert fit.conflicts == [
        "It needs ECFMG certification at application (applicants may submit from about "
        "2 Sep 2026, not yet confirmed); your certificate is expected in November."
    ]
    rows["ecfmg_certificate"] = {}
    fit = check(program(**{**KNOWN, "certificate_by": CertificateBy.APPLICATION}), prog_rows=rows)
    assert fit.conflicts == [
        "It needs ECFMG certification at application (applicants may submit from about "
        "2 Sep 2026, not yet confirmed); you have no date for your certificate yet."
    ]


def test_a_verified_cycle_date_is_given_plainly():
    cycle = MatchCycle(**{f.attname: getattr(CYCLE, f.attname) for f in MatchCycle._meta.fields})
    cycle.verify("rol_deadline", "https://www.nrmp.org/", datetime.date(2026, 5, 1))
    rows = {"ecfmg_certificate": {"planned_date": datetime.date(2027, 3, 10)}}
    fit = check(program(**{**KNOWN, "certificate_by": "ranking"}), prog_rows=rows, cycle=cycle)
    assert fit.conflicts == [
        "It needs ECFMG certification by the rank order list deadline (3 Mar 2027); "
        "your certificate is expected in March 2027."
    ]


def test_certificate_by_ranking_and_start():
    rows = {
        "step_2_ck": {"score": 240},
        "ecfmg_certificate": {"planned_date": datetime.date(2027, 3, 10)},
    }
    ranking = check(program(**{**KNOWN, "certificate_by": CertificateBy.RANKING}), prog_rows=rows)
    assert ranking.conflicts == [
        "It needs ECFMG certification by the rank order list deadline (about 3 Mar 2027, "
        "not yet confirmed); your certificate is expected in March 2027."
    ]
    start = check(program(**{**KNOWN, "certificate_by": CertificateBy.START}), prog_rows=rows)
    assert start.conflicts == []
    # Without a cycle, the start of training is 1 July of the Match year (not confirmed).
    start = check(program(**{**KNOWN, "certificate_by": "start"}), prog_rows=rows, cycle=None)
    assert start.conflicts == []
    late = {"ecfmg_certificate": {"planned_date": datetime.date(2027, 8, 1)}}
    start = check(program(**{**KNOWN, "certificate_by": "start"}), prog_rows=late, cycle=None)
    assert start.conflicts == [
        "It needs ECFMG certification by the start of training (about 1 Jul 2027, not yet "
        "confirmed); your certificate is expected in August 2027."
    ]
    # No cycle dates for the ranking deadline: a gap, not a guessed conflict.
    ranking = check(program(**{**KNOWN, "certificate_by": "ranking"}), prog_rows=rows, cycle=None)
    assert ranking.conflicts == [] and ranking.gaps


def test_unknown_facts_say_ask_the_program_and_never_conflict():
    fit = check(program(), profile(visa="j1"), prog_rows={})
    assert fit.conflicts == []
    assert fit.level == Level.ASK
    assert len(fit.unknowns) == 8
    assert all(line.startswith("Ask the program") for line in fit.unknowns)


def test_missing_graduation_year_is_a_gap():
    fit = check(program(**{**KNOWN, "graduation_cutoff_years": 5}), profile(graduation_year=None))
    assert fit.conflicts == []
    assert fit.gaps == ["Its year-of-graduation cut-off is 5 years; add your graduation year."]


def test_usce_requirement_is_shown_for_the_member_to_check():
    fit = check(program(**{**KNOWN, "usce_months": 6}))
    assert fit.conflicts == []
    assert any("6 months of US clinical experience" in line for line in fit.gaps)


def test_sort_key_orders_conflicts_after_asks_after_fits():
    fits = check(program(**KNOWN))
    ask = check(program(**{**KNOWN, "img_share": None}))
    conflict = check(program(**{**KNOWN, "graduation_cutoff_years": 1}))
    assert sorted([conflict, ask, fits], key=lambda fit: fit.sort_key) == [fits, ask, conflict]


def test_a_member_who_never_saved_progress_has_gaps_not_conflicts(member, fit_milestones):
    from applications.fit import load_fit_inputs

    inputs = load_fit_inputs(member, member.profile, TODAY)
    assert inputs.progress == {}  # no Progress row: nothing recorded (reading writes none)
    facts = {**KNOWN, "step2ck_minimum": 225, "attempts_accepted": 1, "certificate_by": "start"}
    fit = fit_check(program(**facts), member.profile, inputs.progress, TODAY, inputs.cycle)
    assert not any("Step" in line for line in fit.conflicts)
    assert "Its Step 2 CK minimum is 225; you have no score recorded yet." in fit.gaps
    assert not Progress.objects.exists()
