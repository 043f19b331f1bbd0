"""The applications board and the rank list are cached under a key made of everything they
read, so they cannot go stale (applications/season_cache.py): for every input, change it
(through the code that changes it in the site) and see the next page change and equal a page
built from nothing; cross midnight where the member lives; no member gets another's entry;
and a miss reads no table the key does not cover."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from applications import pipeline, season_cache
from applications.models import Application, FeeSchedule, Program, SignalAllowance
from catalogue.models import FactKind
from lib import csrf_slot
from pathways.models import MatchCycle, Rule, Slugs
from tests.applications.conftest import HTMX
from tests.factories import (
    give_fact,
    make_application,
    make_catalogue_program,
    make_member,
    make_program,
    record,
)

INDEX = reverse("applications:index")
RANK = reverse("applications:rank")
# Noon on 31 Dec 2026 in New York (the site's zone; Alice records none): Match 2027's
# applications are counted in 2026, so a 2-year graduation cut-off still fits her 2024 degree.
NOON = datetime.datetime(2026, 12, 31, 17, tzinfo=datetime.UTC)
MESSAGES = re.compile(r'<div id="messages".*?</div>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def frozen():
    with time_machine.travel(NOON) as traveller:  # ticking: each write a new updated_at
        yield traveller


def main_of(client, url: str, **kwargs) -> str:
    """The page's content block, its CSRF tokens (masked anew on every answer) blanked,
    without the messages (a change made through a view leaves one, once)."""
    html = client.get(url, **kwargs).content.decode()
    if "<main" in html:
        html = html[html.index('<main id="main"') : html.index("</main>")]
        html = MESSAGES.sub("", html)
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


@pytest.fixture
def season(alice, frozen):
    """Alice's Match 2027: a program linked to a catalogue entry that sponsors no visa (a
    conflict: she needs a J-1) and a private one whose certificate rule conflicts and whose
    cut-off is at its limit, both interviewed and ranked; an ERAS fee schedule."""
    entry = make_catalogue_program()
    give_fact(entry, FactKind.J1, "no")
    give_fact(entry, FactKind.H1B, "no")
    linked = make_program(alice, name="Linked Medical Center", catalogue=entry)
    private = make_program(
        alice,
        name="Private General Hospital",
        graduation_cutoff_years=2,
        step2ck_minimum=230,
        certificate_by="application",
    )
    first = make_application(alice, linked, status="interviewed", rank=1)
    second = make_application(alice, private, status="interviewed", rank=2)
    if not FeeSchedule.objects.filter(system="eras").exists():
        FeeSchedule.objects.create(
            system="eras",
            season=2026,
            tier_size=30,
            first_fee=11,
            later_fee=30,
            source_name="AAMC",
            source_url="https://students-residents.aamc.org/",
            confidence="A",
            last_reviewed=datetime.date(2025, 6, 1),
        )
    return {"entry": entry, "linked": linked, "private": private, "apps": [first, second]}


# --- The changes: each through the code the site runs for it -----------------------------


def change_status(client, member, season):
    app = season["apps"][1]
    pipeline.change_status(
        member, app.pk, status="rejected", on=datetime.date(2026, 12, 31), version=None
    )


def bulk_status(client, member, season):
    app = season["apps"][1]
    client.post(
        reverse("applications:bulk_status"),
        {"status": "rejected", "ids": [app.pk], "cycle": 2027, f"version-{app.pk}": 1},
    )


def place_signal(client, member, season):
    pipeline.set_signal(member, season["apps"][0], "gold")


def move_on_rank_list(client, member, season):
    app = season["apps"][1]
    client.post(reverse("applications:rank_move", args=[app.pk]), {"direction": "up", "was": 2})


def note_on_rank_list(client, member, season):
    app = season["apps"][0]
    client.post(reverse("applications:rank_note", args=[app.pk]), {"rank_note": "Top choice"})


def add_application(client, member, season):
    make_application(member, make_program(member, name="Newcomer Hospital"), status="ranked")


def delete_application(client, member, season):
    client.post(reverse("applications:application_delete", args=[season["apps"][1].pk]))


def edit_program(client, member, season):
    program = Program.objects.get(pk=season["private"].pk)
    program.name = "Renamed General Hospital"
    program.save()


def unlink_program(client, member, season):
    client.post(reverse("applications:program_unlink", args=[season["linked"].pk]))


def change_catalogue_fact(client, member, season):
    give_fact(season["entry"], FactKind.J1, "yes")  # the visa conflict goes


def change_profile(client, member, season):
    profile = Profile.objects.get(user=member)
    profile.visa = Profile.Visa.H1B  # "You need an H-1B; …"
    profile.save()


def change_progress(client, member, season):
    record(member, Slugs.STEP2CK, status="done", outcome="passed", score=220)  # below 230


def change_cycle(client, member, season):
    cycle = MatchCycle.objects.get(year=2027)
    cycle.applicants_may_submit = cycle.applicants_may_submit + datetime.timedelta(days=3)
    cycle.save()  # the certificate conflict names the date


def change_fee_schedule(client, member, season):
    schedule = FeeSchedule.objects.filter(system="eras").order_by("-season").first()
    schedule.first_fee += 1
    schedule.save()


def record_signal_allowance(client, member, season):
    SignalAllowance.objects.create(
        cycle=2027,
        specialty="Internal Medicine",
        gold=3,
        silver=9,
        source_url="https://students-residents.aamc.org/",
        last_reviewed=datetime.date(2026, 6, 1),
    )


def change_rule(client, member, season):
    rule = Rule.objects.get(key="nrmp_max_ranks_per_list")
    rule.value = 1  # the list is now over NRMP's limit
    rule.save()


BOTH = [
    change_status,
    bulk_status,
    add_application,
    delete_application,
    edit_program,
    unlink_program,
    change_catalogue_fact,
    change_profile,
    change_progress,
    change_cycle,
]
INDEX_ONLY = [place_signal, change_fee_schedule, record_signal_allowance]
RANK_ONLY = [move_on_rank_list, note_on_rank_list, change_rule]
CASES = [(change, INDEX) for change in BOTH + INDEX_ONLY] + [
    (change, RANK) for change in BOTH + RANK_ONLY
]


@pytest.mark.parametrize(
    ("change", "url"), CASES, ids=[f"{c.__name__}-{u.strip('/')}" for c, u in CASES]
)
def test_every_input_changes_the_next_page(client, alice, season, change, url):
    client.force_login(alice)
    before = main_of(client, url)
    assert main_of(client, url) == before  # a hit
    change(client, alice, season)
    client.force_login(alice)
    served = main_of(client, url)
    assert served != before
    caches["situation"].clear()
    assert served == main_of(client, url)  # what a page built from nothing shows


def test_a_second_view_is_served_from_the_cache(client, alice, season, django_assert_num_queries):
    client.force_login(alice)
    for url in (INDEX, RANK):
        first = main_of(client, url)
        with django_assert_num_queries(3):  # session, user, profile with the data version
            assert main_of(client, url) == first


@pytest.mark.parametrize(
    ("url", "query", "headers"),
    [
        (INDEX, {}, {}),
        (INDEX, {"fit": "conflict"}, HTMX),
        (INDEX, {"open": 0}, HTMX),  # the opened card (its pk filled in below)
        (INDEX, {"open": 0}, {}),  # the page with one card open (no JavaScript)
        (RANK, {}, {}),
        (RANK, {"page": 1}, HTMX),
        (RANK, {"open": 0}, {}),
    ],
)
def test_forms_carry_this_answers_csrf_token(client, alice, season, url, query, headers):
    """The cached HTML holds a placeholder; every answer, hit or miss, has the real token."""
    client.force_login(alice)
    if "open" in query:
        query = {"open": season["apps"][0].pk}
    for _ in range(2):  # a miss, then a hit
        response = client.get(url, query, headers=headers)
        html = response.content.decode()
        assert csrf_slot.SLOT not in html
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert tokens and all(len(token) == 64 for token in tokens)
    # the token works: a move posted with it is accepted (the client enforces CSRF checks)
    checked = type(client)(enforce_csrf_checks=True)
    checked.force_login(alice)
    page = checked.get(RANK).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    app = season["apps"][1]
    answer = checked.post(
        reverse("applications:rank_move", args=[app.pk]),
        {"direction": "up", "was": 2, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302
    assert Application.objects.get(pk=app.pk).rank == 1


def test_the_page_follows_the_members_date_across_midnight(client, alice, season, frozen):
    """At midnight in New York Match 2027's applications are counted in 2027: the 2-year
    cut-off of her 2024 degree now conflicts."""
    client.force_login(alice)
    before = {url: main_of(client, url) for url in (INDEX, RANK)}
    assert "this program&#x27;s cut-off is 2 years" not in before[INDEX]
    frozen.move_to(datetime.datetime(2027, 1, 1, 4, 59, tzinfo=datetime.UTC))  # 23:59 in NY
    client.force_login(alice)
    assert {url: main_of(client, url) for url in (INDEX, RANK)} == before
    frozen.move_to(datetime.datetime(2027, 1, 1, 5, 1, tzinfo=datetime.UTC))  # 00:01 in NY
    client.force_login(alice)
    for url in (INDEX, RANK):
        after = main_of(client, url)
        assert "this program&#x27;s cut-off is 2 years" in after, url


def test_no_member_is_served_another_members_entry(client, alice, season):
    twin = make_member("twin@example.com")  # the same answers, the same programs
    linked = make_program(twin, name="Linked Medical Center", catalogue=season["entry"])
    make_application(twin, linked, status="interviewed", rank=1)
    same_time = Profile.objects.get(user=alice).updated_at
    Profile.objects.filter(user=twin).update(updated_at=same_time)
    day = datetime.date(2026, 12, 31)
    keys = {
        season_cache.key_for(season_cache.versioned_profile(user), day, "index#body", {})
        for user in (alice, twin)
    }
    assert len(keys) == 2  # the member's id is part of the key
    client.force_login(alice)
    for url in (INDEX, RANK):
        assert "Private General Hospital" in main_of(client, url)
    client.force_login(twin)
    for url in (INDEX, RANK):
        assert "Private General Hospital" not in main_of(client, url)
        assert "Linked Medical Center" in main_of(client, url)


# What a miss may read: the session and user, and the tables the key's version covers.
COVERED = {
    "django_session",
    "accounts_user",
    "accounts_profile",  # updated_at
    "applications_application",  # newest updated_at and count
    "applications_program",  # newest updated_at and count
    "catalogue_fact",  # of the linked programs: newest updated_at and count
    "pathways_progress",  # newest updated_at and count
    "applications_feeschedule",  # curated token (ApplicationsConfig.ready)
    "applications_signalallowance",  # curated token
    "pathways_contentversion",  # the curated token itself
}


@pytest.mark.parametrize("url", [INDEX, RANK])
def test_a_miss_reads_nothing_the_key_does_not_cover(client, alice, season, url):
    """The curated content (cycles, rules, restrictions) comes from its own cache under the
    curated token; every table a miss queries must be one the key's version covers."""
    client.force_login(alice)
    client.get(url)  # the curated content warm
    caches["situation"].clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', query["sql"])
    }
    assert "applications_application" in read
    assert read <= COVERED, read - COVERED


def test_the_version_query_names_the_models_tables_and_columns():
    """VERSION_SQL is written out: its names must be the models' (a rename fails here)."""
    from accounts.models import Profile as ProfileModel
    from catalogue.models import Fact
    from pathways.models import Progress

    sql = season_cache.VERSION_SQL
    for model in (ProfileModel, Application, Program, Progress, Fact):
        assert f" {model._meta.db_table} " in sql.replace("\n", " ")
        assert model._meta.get_field("updated_at").column == "updated_at"
    for model in (ProfileModel, Application, Program, Progress):
        assert model._meta.get_field("user").column == "user_id"
    assert Program._meta.get_field("catalogue").column == "catalogue_id"
    assert Fact._meta.get_field("program").column == "program_id"


def test_after_a_status_change_the_fits_come_from_the_cache(
    client, alice, season, django_assert_num_queries
):
    """A program's fit reads no application: after a status change (a new page key) the
    fits are still cached, so the page is rebuilt without loading the fit check's inputs."""
    client.force_login(alice)
    before = main_of(client, INDEX)
    change_status(client, alice, season)
    # session, user, versioned profile, applications with programs, cycles, ERAS fee
    # schedules, signal allowances: no progress rows, no catalogue facts
    with django_assert_num_queries(7):
        served = main_of(client, INDEX)
    assert served != before
    caches["situation"].clear()
    assert served == main_of(client, INDEX)  # what a page built from nothing shows


def test_a_listed_fit_keeps_the_level_and_conflicts_only():
    from applications.fit import Fit, Level

    full = Fit(conflicts=["A", "B"], unknowns=["Ask 1", "Ask 2"], gaps=["G"], notes=["N"])
    listed = season_cache.as_listed(full)
    assert (listed.level, listed.conflicts, listed.gaps, listed.notes) == (
        Level.CONFLICT,
        ["A", "B"],
        [],
        [],
    )
    asking = season_cache.as_listed(Fit(unknowns=["Ask 1", "Ask 2"], gaps=["G"]))
    assert asking.level == Level.ASK and asking.unknowns == ["Ask 1"]
    assert season_cache.as_listed(Fit(gaps=["G"])).level == Level.FITS
