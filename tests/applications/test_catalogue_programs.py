"""A member's programs picked from the catalogue: adding copies the identity only, the
program page shows the catalogue's facts beside the member's own, link and unlink, and the
fit check on every list counts the catalogue's facts (loaded in one query)."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.models import Program, Visas
from catalogue.models import FactKind
from tests.applications.conftest import HTMX
from tests.factories import give_fact, make_application, make_catalogue_program, make_program

pytestmark = pytest.mark.django_db

PROGRAMS = reverse("applications:programs")


def add_url(entry) -> str:
    return reverse("applications:program_add", args=[entry.pk])


@pytest.fixture
def entry(db):
    entry = make_catalogue_program(
        name="Metro Internal Medicine", city="Newark", state="NJ",
        program_url="https://metro.example.org/im/",
    )  # fmt: skip
    give_fact(entry, FactKind.J1, "yes", source_url="https://example.org/metro/visas")
    give_fact(entry, FactKind.H1B, "unknown")
    give_fact(entry, FactKind.STEP2CK_MINIMUM, "220")
    return entry


def test_adding_copies_the_identity_and_no_fact(member_client, member, entry):
    response = member_client.post(add_url(entry))
    program = Program.objects.get(user=member)
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    assert program.catalogue == entry
    assert (program.name, program.specialty, program.city, program.state) == (
        entry.name, entry.specialty, "Newark", "NJ",
    )  # fmt: skip
    assert (program.acgme_code, program.nrmp_code) == (entry.acgme_id, entry.nrmp_code)
    assert program.program_url == "https://metro.example.org/im/"
    # Every fact stays "no note of mine": the catalogue's show and count.
    assert program.visas == Visas.UNKNOWN and program.step2ck_minimum is None
    assert program.visas_source == "" and program.visas_found_on is None


def test_htmx_add_swaps_the_button_for_on_your_list(member_client, member, entry):
    response = member_client.post(add_url(entry), headers=HTMX)
    program = Program.objects.get(user=member)
    body = response.content.decode()
    assert "On your list" in body and f'href="{program.get_absolute_url()}"' in body
    assert "<html" not in body and "Add to my programs" not in body


def test_a_double_click_makes_one_program(member_client, member, entry):
    member_client.post(add_url(entry))
    again = member_client.post(add_url(entry), follow=True)
    assertContains(again, "is on your list")
    assert Program.objects.filter(user=member).count() == 1


def test_a_race_past_the_checks_is_caught_by_the_constraint(
    member_client, member, entry, monkeypatch
):
    from applications.models import ProgramQuerySet

    ours = make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    real_first, calls = ProgramQuerySet.first, []

    def first(self):  # the other request's row is not there yet for the view's two checks
        calls.append(1)
        return None if len(calls) <= 2 else real_first(self)

    monkeypatch.setattr(ProgramQuerySet, "first", first)
    response = member_client.post(add_url(entry), headers=HTMX)
    assert response.status_code == 200 and "On your list" in response.content.decode()
    assert len(calls) == 3  # the insert failed on the constraint; the row was looked up
    assert list(Program.objects.filter(user=member)) == [ours]


def test_a_private_program_of_the_same_name_is_named_not_duplicated(member_client, member, entry):
    private = make_program(member, name="metro internal medicine", specialty=entry.specialty)
    response = member_client.post(add_url(entry), follow=True)
    assertContains(response, "You already keep a private program named metro internal medicine")
    assert Program.objects.filter(user=member).count() == 1
    htmx = member_client.post(add_url(entry), headers=HTMX).content.decode()
    assert "Link my program to this entry" in htmx
    # Linking it keeps the member's facts as their notes.
    link = reverse("applications:program_link", args=[private.pk])
    response = member_client.post(link, {"catalogue": entry.pk})
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.catalogue == entry
    assert member_client.post(link, {"catalogue": "abc"}).status_code == 404


def test_unpublished_entry_cannot_be_added_or_linked(member_client, member):
    hidden = make_catalogue_program(published=False)
    assert member_client.post(add_url(hidden)).status_code == 404
    program = make_program(member)
    link = reverse("applications:program_link", args=[program.pk])
    assert member_client.post(link, {"catalogue": hidden.pk}).status_code == 404
    assert not Program.objects.filter(catalogue__isnull=False).exists()


def test_unlink_keeps_the_program_private(member_client, member, entry):
    program = make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    unlink = reverse("applications:program_unlink", args=[program.pk])
    assert member_client.get(unlink).status_code == 405
    response = member_client.post(unlink, follow=True)
    assertContains(response, "is now a private program")
    program.refresh_from_db()
    assert program.catalogue is None
    assertNotContains(member_client.get(program.get_absolute_url()), "Facts from the catalogue")


def test_other_members_programs_cannot_be_linked_or_unlinked(member_client, other_member, entry):
    bobs = make_program(other_member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    unlink = reverse("applications:program_unlink", args=[bobs.pk])
    link = reverse("applications:program_link", args=[bobs.pk])
    assert member_client.post(unlink).status_code == 404
    assert member_client.post(link, {"catalogue": entry.pk}).status_code == 404
    bobs.refresh_from_db()
    assert bobs.catalogue == entry


def test_program_page_shows_catalogue_facts_and_the_members_differing_notes(
    member_client, member, entry
):
    program = make_program(
        member, name=entry.name, specialty=entry.specialty, catalogue=entry,
        program_url="https://metro.example.org/im/", step2ck_minimum=230,
        visas=Visas.J1, graduation_cutoff_years=None,
    )  # fmt: skip
    page = member_client.get(program.get_absolute_url())
    assertContains(page, "Facts from the catalogue")
    assertContains(page, f'href="{entry.get_absolute_url()}"')
    assertContains(page, "checked 1 Nov 2026")
    assertContains(page, 'href="https://example.org/metro/visas"')
    body = page.content.decode()
    # Step 2 CK: catalogue 220, member 230 -> the member's note; J-1: both "yes" -> no note;
    # H-1B: catalogue unknown, member "no" (J-1 only) -> the member's note.
    assert body.count("Your note:") == 2
    assert "<strong>Your note:</strong> 230" in body
    assert "<strong>Your note:</strong> No" in body
    # Unknown facts point to the program's site.
    assert 'href="https://metro.example.org/im/" rel="noopener noreferrer">ask the program' in body
    # The fit check counts the member's 230 (Alice has no Step 2 CK score: a gap naming 230).
    assert "Its Step 2 CK minimum is 230" in body


def test_the_fit_check_reruns_on_the_next_view_after_a_curator_change(member_client, member, entry):
    program = make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    assertContains(member_client.get(PROGRAMS), "Its Step 2 CK minimum is 220")
    give_fact(entry, FactKind.STEP2CK_MINIMUM, "235")
    assertContains(member_client.get(PROGRAMS), "Its Step 2 CK minimum is 235")
    assertContains(member_client.get(program.get_absolute_url()), "Its Step 2 CK minimum is 235")


def test_programs_list_offers_the_catalogue_first(member_client):
    body = member_client.get(PROGRAMS).content.decode()
    find = body.index("Find in the catalogue")
    private = body.index("Add a private program")
    assert find < private


@pytest.mark.parametrize("count", [3, 30])
def test_program_list_with_linked_programs_query_count_is_constant(
    member_client, member, count, django_assert_num_queries
):
    for n in range(count):
        linked = make_catalogue_program()
        give_fact(linked, FactKind.J1, "yes")
        give_fact(linked, FactKind.STEP2CK_MINIMUM, "220")
        make_program(member, name=f"Linked {n}", catalogue=linked)
        make_program(member, name=f"Private {n}")
    member_client.get(PROGRAMS)  # warm the curated-content cache
    # session, user, profile, programs, catalogue facts of the linked ones (one query),
    # progress (fit inputs, from the roadmap's data)
    with django_assert_num_queries(6):
        response = member_client.get(PROGRAMS)
    assert response.content.decode().count('class="card program-card"') == 2 * count


@pytest.mark.parametrize("count", [3, 30])
def test_applications_and_rank_with_linked_programs_query_counts(
    member_client, member, count, django_assert_num_queries
):
    for n in range(count):
        linked = make_catalogue_program()
        give_fact(linked, FactKind.J1, "yes")
        program = make_program(member, name=f"Linked {n}", catalogue=linked)
        make_application(member, program, status="interviewed")
    member_client.get(reverse("applications:rank"))  # warm the curated-content cache
    caches["situation"].clear()  # the pages themselves cold (applications/season_cache.py)
    # session, user, profile with its season's data version, rank list with programs,
    # catalogue facts, progress
    with django_assert_num_queries(6):
        member_client.get(reverse("applications:rank"))
    # session, user, versioned profile, applications with programs, cycles, ERAS fee
    # schedules, signal allowances (the programs' fits cached by the rank list's miss:
    # no catalogue facts, no progress)
    with django_assert_num_queries(7):
        member_client.get(reverse("applications:index"))
    # nothing changed: session, user, the versioned profile; the content from the cache
    with django_assert_num_queries(3):
        member_client.get(reverse("applications:rank"))
    with django_assert_num_queries(3):
        member_client.get(reverse("applications:index"))


def test_program_page_query_count(member_client, member, entry, django_assert_num_queries):
    program = make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    member_client.get(program.get_absolute_url())
    # session, user, program with its catalogue entry and institution, profile, catalogue
    # facts, progress, the newest LCA file (none: no evidence query), applications
    with django_assert_num_queries(8):
        member_client.get(program.get_absolute_url())


def test_export_counts_catalogue_facts(member_client, member, entry):
    make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    give_fact(entry, FactKind.J1, "no")
    give_fact(entry, FactKind.H1B, "no")
    body = member_client.get(reverse("applications:export", args=["csv"])).content.decode()
    assert "You need a J-1; it sponsors no visas." in body
