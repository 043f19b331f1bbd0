"""The season's long lists at the sizes IMGs really run (issue 21, item 1): 300 programs on the
rank list, on /applications/ and on the letters page. Each page stays under 60 KB of markup
and runs a fixed number of queries from 10 to 300 programs; filters, search and the page are
kept in the URL; the rank list moves a program to any place in one step.

The screen-height half of the budget is measured in a browser: tests/e2e/test_long_lists.py.
"""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.models import Application, Letter, Program
from tests.applications.conftest import HTMX

INDEX = reverse("applications:index")
RANK = reverse("applications:rank")
LETTERS = reverse("applications:letters")
BUDGET = 60_000  # bytes of markup per page


def season_of(member, count: int, *, start: int = 0) -> list[Application]:
    """`count` programs, each with an application in Match 2027, ranked in order; one program
    in five sponsors no visa (a conflict for Alice, who needs a J-1): bulk-created."""
    programs = Program.objects.bulk_create(
        Program(
            user=member,
            name=f"Saint Example Hospital Internal Medicine Residency {n:03}",
            specialty="Internal Medicine",
            city="Newark",
            state="NJ",
            nrmp_code=f"1234140C{n:03}",
            visas="none" if n % 5 == 0 else "j1",
        )
        for n in range(start, start + count)
    )
    return Application.objects.bulk_create(
        Application(
            user=member,
            program=program,
            specialty=program.specialty,
            cycle=2027,
            status="interviewed",
            status_changed_on=datetime.date(2026, 9, 1),
            rank=start + n + 1,
            rank_note="Strong IMG history" if n % 3 == 0 else "",
        )
        for n, program in enumerate(programs)
    )


def with_letters(member, applications, count: int = 4) -> list[Letter]:
    letters = Letter.objects.bulk_create(
        Letter(user=member, writer=f"Dr Writer Number {n}") for n in range(count)
    )
    Through = Letter.applications.through
    Through.objects.bulk_create(
        Through(letter=letter, application=application)
        for letter in letters
        for application in applications
    )
    return letters


@pytest.mark.parametrize("count", [10, 300])
def test_long_lists_keep_their_query_counts_and_markup_budget(
    member_client, member, count, django_assert_num_queries
):
    applications = season_of(member, count)
    with_letters(member, applications)
    member_client.get(RANK)  # warm the curated-content cache (the fit check's cycle)
    caches["situation"].clear()  # the pages themselves cold (applications/season_cache.py)
    # session, user, profile with its season's data version, progress (fit inputs), rank
    # list with programs
    with django_assert_num_queries(5):
        rank = member_client.get(RANK)
    # session, user, versioned profile, applications with programs, cycles, ERAS fee
    # schedules, signal allowances (the programs' fits cached by the rank list's miss)
    with django_assert_num_queries(7):
        index = member_client.get(INDEX)
    # nothing changed: session, user, the versioned profile; the same pages from the cache
    with django_assert_num_queries(3):
        rank_again = member_client.get(RANK).content.decode()
    with django_assert_num_queries(3):
        index_again = member_client.get(INDEX).content.decode()
    assert rank_again.count('class="rank-row') == min(count, 20)
    assert index_again.count('class="list-row application-card') == min(count, 20)
    # session, user, profile, letters, the cycle's applications with programs, their letters
    with django_assert_num_queries(6):
        letters = member_client.get(LETTERS)
    for response in (rank, index, letters):
        assert response.status_code == 200
        assert len(response.content) < BUDGET, (
            response.request["PATH_INFO"],
            len(response.content),
        )
    shown = min(count, 20)  # one page
    assert rank.content.decode().count('class="rank-row') == shown
    assert index.content.decode().count('class="list-row application-card') == shown
    assert letters.content.decode().count('id="assign-') == shown
    assertNotContains(letters, '<input type="checkbox"')


def test_the_rank_list_pages_through_the_url_and_numbers_across_pages(member_client, member):
    rows = season_of(member, 300)
    page = member_client.get(RANK, {"page": 15})
    html = page.content.decode()
    assert html.count('class="rank-row') == 20
    assertContains(page, f'id="rank-{rows[280].pk}"')
    assertContains(page, '<span class="rank-place">300</span>', html=True)
    assertContains(page, "page 15 of 15")
    assertContains(page, 'href="?cycle=2027&amp;page=14"')  # a real link, htmx or not
    fragment = member_client.get(RANK, {"page": 2}, headers=HTMX)
    assertNotContains(fragment, "<h1>")
    assertContains(fragment, f'id="rank-{rows[20].pk}"')


def test_rank_list_filters_and_search_are_kept_in_the_url(member_client, member):
    rows = season_of(member, 40)
    conflicts = member_client.get(RANK, {"fit": "conflict"})
    # one in five sponsors no visa: 8 of 40, numbered by their place on the whole list
    assertContains(conflicts, "<strong>8</strong> of <strong>40</strong> programs ranked")
    assertContains(conflicts, f'id="rank-{rows[35].pk}"')
    assertNotContains(conflicts, f'id="rank-{rows[1].pk}"')
    assertContains(conflicts, '<span class="rank-place">36</span>', html=True)
    search = member_client.get(RANK, {"q": "residency 017"})
    assertContains(search, f'id="rank-{rows[17].pk}"')
    assert search.content.decode().count('class="rank-row') == 1
    assertContains(search, 'value="residency 017"')
    bad = member_client.get(RANK, {"fit": "<script>", "q": "x" * 500})
    assert bad.status_code == 200  # a garbled query shows the whole list, never a 500
    assert bad.content.decode().count('class="rank-row') == 20
    assertContains(bad, "<strong>40</strong> programs ranked")


def test_move_to_a_place_in_one_step_and_land_on_its_page(member_client, member):
    rows = season_of(member, 300)
    last = rows[-1]
    move = reverse("applications:rank_move", args=[last.pk])
    response = member_client.post(
        move + "?cycle=2027&page=15", {"direction": "to", "position": 1, "was": 300}
    )
    assert response.url == f"{RANK}?cycle=2027&page=1#rank-{last.pk}"
    order = list(
        Application.objects.filter(user=member).order_by("rank").values_list("pk", flat=True)
    )
    assert order == [last.pk] + [row.pk for row in rows[:-1]]
    # past the end means last; htmx answers with the list's fragment at the row's new page
    response = member_client.post(
        move + "?cycle=2027&page=1", {"direction": "to", "position": 999, "was": 1}, headers=HTMX
    )
    assertContains(response, "is now number 300")
    assertContains(response, f'id="rank-{last.pk}"')
    assertNotContains(response, "<h1>")
    assert response["HX-Replace-Url"] == f"{RANK}?cycle=2027&page=15"
    assert Application.objects.get(pk=last.pk).rank == 300


def test_a_move_from_a_stale_page_is_refused_and_writes_nothing(member_client, member):
    rows = season_of(member, 30)
    first, second = rows[0], rows[1]
    # another tab moved the first program down: the second is now number 1
    member_client.post(
        reverse("applications:rank_move", args=[first.pk]), {"direction": "down", "was": 1}
    )
    before = list(Application.objects.order_by("pk").values_list("pk", "rank"))
    response = member_client.post(
        reverse("applications:rank_move", args=[second.pk]),
        {"direction": "up", "was": 2},
        headers=HTMX,
    )
    assertContains(response, "the list changed in another tab")
    assertContains(response, "is now number 1")
    assert list(Application.objects.order_by("pk").values_list("pk", "rank")) == before


def test_blocking_conflicts_are_marked_on_the_rank_list_and_the_cards(member_client, member):
    rows = season_of(member, 6)
    rank = member_client.get(RANK)
    # programs 000 and 005 sponsor no visa; Alice needs a J-1
    assertContains(rank, "2 programs on your list conflict with your profile")
    assertContains(rank, "You need a J-1; it sponsors no visas.", count=2)
    html = rank.content.decode()
    assert f'class="rank-row rank-conflict" id="rank-{rows[0].pk}"' in html
    assert f'class="rank-row" id="rank-{rows[1].pk}"' in html
    index = member_client.get(INDEX)
    assertContains(index, "You need a J-1; it sponsors no visas.", count=2)
    assertContains(index, "2 with a conflict")
    # the fit follows the program's facts on the next load: no stale verdict
    program = Program.objects.get(pk=rows[0].program_id)
    program.visas = "j1"
    program.save()
    assertContains(member_client.get(RANK), "1 program on your list conflicts")


def test_the_rank_export_has_a_conflicts_column(member_client, member):
    season_of(member, 3)
    export = member_client.get(reverse("applications:rank_export")).content.decode()
    lines = export.splitlines()
    assert lines[0].endswith(",conflicts")
    assert lines[1].endswith("You need a J-1; it sponsors no visas.")
    assert lines[2].endswith(",")


# --- NRMP's limits on the rank list (issue 21, item 2) ------------------------------------


def nrmp_rules():
    """The three NRMP rules as pathways/content/rules.toml ships them (S, needs review)."""
    from pathways.models import Rule

    for key, value in [
        ("nrmp_primary_programs_covered", 20),
        ("nrmp_supplemental_programs_covered", 20),
        ("nrmp_max_ranks_per_list", 300),
    ]:
        Rule.objects.create(
            key=key, value=value, source_url="https://www.nrmp.org", needs_review=True
        )


def test_rank_limits_warn_as_the_member_crosses_each(member_client, member):
    nrmp_rules()
    rows = season_of(member, 19)
    page = member_client.get(RANK)
    assertContains(page, "Programs on your primary list: <strong>19</strong> of 20 covered")
    assertNotContains(page, "extra-rank fee")
    assertContains(page, 'href="https://www.nrmp.org"')
    # the 20th: at the limit, the next one costs an extra-rank fee whose amount is not sourced
    season_of(member, 1, start=19)
    page = member_client.get(RANK)
    assertContains(page, "At the limit: the next program adds an extra-rank fee")
    assertContains(page, "amount not known here")
    # two more ranks, under program codes already on the list: each code is counted once
    extra = season_of(member, 2, start=20)
    for row, code in zip(extra, ["1234140c000", " 1234140C001"], strict=True):
        Program.objects.filter(pk=row.program_id).update(nrmp_code=code)
    assert rows[0].program.nrmp_code == "1234140C000"
    page = member_client.get(RANK)
    assertContains(page, "Programs on your primary list: <strong>20</strong> of 20")
    assertContains(page, "Ranks on your primary list: <strong>22</strong> of 300 allowed")


def test_rank_limits_over_and_supplemental_lists_counted_apart(member_client, member):
    nrmp_rules()
    rows = season_of(member, 25)
    Application.objects.filter(pk__in=[row.pk for row in rows[:3]]).update(supplemental=True)
    page = member_client.get(RANK)
    assertContains(page, "Programs on your primary list: <strong>22</strong> of 20 covered")
    assertContains(page, "2 over: extra-rank fees are due when you certify")
    assertContains(page, "not refunded if you later certify a shorter list")
    assertContains(page, "Fee per extra program: not known here")
    assertContains(page, "supplemental lists (preliminary, transitional): <strong>3</strong> of 20")
    assertContains(page, '<span class="badge badge-info">Supplemental</span>', count=3)
    assertContains(page, "proposed")  # S, needs review: never shown as verified


def test_the_most_ranks_on_a_list(member_client, member):
    nrmp_rules()
    season_of(member, 301)
    page = member_client.get(RANK)
    assertContains(page, "Ranks on your primary list: <strong>301</strong> of 300 allowed")
    assertContains(page, "1 over: NRMP accepts no more than 300 ranks on a list.")


def test_without_the_rules_the_limits_say_unknown(member_client, member):
    season_of(member, 3)
    page = member_client.get(RANK)
    assertContains(page, "NRMP's limit is not recorded here", count=2)
    assertNotContains(page, " of 20")


def test_the_supplemental_mark_is_saved_with_the_note(member_client, member):
    rows = season_of(member, 3)
    url = reverse("applications:rank_note", args=[rows[1].pk])
    opened = member_client.get(RANK, {"open": rows[1].pk})
    assertContains(opened, f'action="{url}?cycle=2027&amp;page=1"')
    member_client.post(url, {"rank_note": "prelim year", "supplemental": "on"})
    saved = Application.objects.get(pk=rows[1].pk)
    assert (saved.rank_note, saved.supplemental) == ("prelim year", True)
    member_client.post(url, {"rank_note": "prelim year"})
    assert not Application.objects.get(pk=rows[1].pk).supplemental
