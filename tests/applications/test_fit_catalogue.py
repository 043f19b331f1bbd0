"""The fit check on a program linked to the catalogue: each fact is the member's own value
where they set one, else the catalogue's; sponsorship is two tri-states (J-1, H-1B)."""

import datetime

import pytest

from applications.fit import Level, effective_facts, fit_check, member_values
from applications.models import CertificateBy, Program, Visas
from catalogue.models import Fact, FactKind
from tests.applications.test_fit import CYCLE, DONE, TODAY, profile, progress

SOURCE = {"source_url": "https://example.org/program", "checked_on": datetime.date(2026, 11, 1)}


def facts(**values) -> dict[str, Fact]:
    return {kind: Fact(kind=kind, value=value, **SOURCE) for kind, value in values.items()}


# Every catalogue fact known and met by the personas' profile (graduated 2019, 240 on CK).
CATALOGUE_OK = {
    "sponsors_j1": "yes",
    "sponsors_h1b": "yes",
    "graduation_cutoff_years": "10",
    "step1_minimum": "230",  # shown, never checked: Step 1 is pass/fail
    "step2ck_minimum": "200",
    "attempts_accepted": "3",
    "usce_months": "0",
    "img_share": "40",
    "note": "Interviews in person only.",
}
# What the catalogue does not hold: the member's own.
MEMBER_ONLY = {"certificate_by": CertificateBy.START, "interview_format": "virtual"}


def linked(**own) -> Program:
    return Program(name="Metro Hospital", specialty="Internal Medicine", **{**MEMBER_ONLY, **own})


def check(program, catalogue, prof=None):
    return fit_check(
        program, prof or profile(), progress(**DONE), TODAY, CYCLE, catalogue=catalogue
    )


def test_catalogue_facts_count_when_the_member_set_none():
    fit = check(linked(), facts(**CATALOGUE_OK))
    assert fit.level == Level.FITS, (fit.conflicts, fit.unknowns)
    fit = check(linked(), facts(**{**CATALOGUE_OK, "graduation_cutoff_years": "5"}))
    assert fit.conflicts == ["You graduated in 2019; this program's cut-off is 5 years."]


def test_the_members_own_value_wins_where_set():
    catalogue = facts(**{**CATALOGUE_OK, "step2ck_minimum": "250"})
    assert check(linked(), catalogue).conflicts == ["Your Step 2 CK 240 is below its minimum 250."]
    assert check(linked(step2ck_minimum=230), catalogue).level == Level.FITS
    # ...and a member's value can make it worse than the catalogue says, too.
    own = check(linked(attempts_accepted=1), facts(**CATALOGUE_OK), profile())
    assert own.level == Level.FITS  # one attempt at each Step (DONE)
    fit = fit_check(
        linked(attempts_accepted=1),
        profile(),
        progress(step_2_ck={"score": 240, "attempts": 2}, ecfmg_certificate={"status": "done"}),
        TODAY,
        CYCLE,
        catalogue=facts(**CATALOGUE_OK),
    )
    assert fit.conflicts == ["You took Step 2 CK 2 times; it accepts 1 attempt."]


def test_unknown_in_the_catalogue_and_unset_by_the_member_is_ask():
    catalogue = facts(**{**CATALOGUE_OK, "img_share": "unknown"})
    del catalogue["usce_months"]  # no row at all is unknown too
    fit = check(linked(), catalogue)
    assert fit.level == Level.ASK
    assert "Ask the program what share of its residents are IMGs." in fit.unknowns
    assert "Ask the program how much US clinical experience it requires." in fit.unknowns


def test_a_private_program_is_checked_on_its_own_facts_only():
    fit = check(linked(), None)
    assert "Ask the program which visas it sponsors." in fit.unknowns


@pytest.mark.parametrize(
    "j1,h1b,visa,level,message",
    [
        # J-1 yes, H-1B unknown: fits a J-1 member, is a question for an H-1B member.
        ("yes", "unknown", "j1", Level.FITS, None),
        ("yes", "unknown", "h1b", Level.ASK, "Ask the program whether it sponsors the H-1B."),
        ("yes", "unknown", "undecided", Level.FITS, None),
        ("unknown", "yes", "j1", Level.ASK, "Ask the program whether it sponsors the J-1."),
        ("yes", "no", "h1b", Level.CONFLICT, "You need an H-1B; it sponsors J-1 only."),
        ("no", "yes", "j1", Level.CONFLICT, "You need a J-1; it sponsors H-1B only."),
        ("no", "no", "undecided", Level.CONFLICT, "You need a visa; it sponsors no visas."),
        ("no", "unknown", "j1", Level.CONFLICT, "You need a J-1; it does not sponsor the J-1."),
        ("no", "unknown", "undecided", Level.ASK, "Ask the program which visas it sponsors."),
        ("unknown", "unknown", "j1", Level.ASK, "Ask the program which visas it sponsors."),
        ("yes", "yes", "h1b", Level.FITS, None),
        ("no", "no", "none", Level.FITS, None),  # needs no visa
    ],
)
def test_sponsorship_on_two_tri_states(j1, h1b, visa, level, message):
    catalogue = facts(**{**CATALOGUE_OK, "sponsors_j1": j1, "sponsors_h1b": h1b})
    fit = check(linked(), catalogue, profile(visa=visa))
    assert fit.level == level, (fit.conflicts, fit.unknowns)
    if message:
        assert message in fit.conflicts + fit.unknowns


def test_h1b_only_from_the_catalogue_asks_about_the_new_petition_fee():
    catalogue = facts(**{**CATALOGUE_OK, "sponsors_j1": "unknown", "sponsors_h1b": "yes"})
    fit = check(linked(), catalogue, profile(visa="h1b"))
    assert fit.level == Level.ASK
    assert any("$100,000 fee" in unknown for unknown in fit.unknowns)


def test_the_members_visas_choice_overrides_both_catalogue_facts():
    catalogue = facts(**{**CATALOGUE_OK, "sponsors_j1": "yes", "sponsors_h1b": "unknown"})
    fit = check(linked(visas=Visas.NONE), catalogue, profile(visa="j1"))
    assert fit.conflicts == ["You need a J-1; it sponsors no visas."]
    assert effective_facts(linked(visas=Visas.H1B), catalogue).j1 is False


def test_member_values_are_in_the_catalogues_form():
    program = linked(visas=Visas.J1, step2ck_minimum=220)
    assert member_values(program) == {
        FactKind.J1: "yes",
        FactKind.H1B: "no",
        FactKind.STEP2CK_MINIMUM: "220",
    }
    assert member_values(linked()) == {}
