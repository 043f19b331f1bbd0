"""The catalogue for members: search (htmx live search), a program's page with its facts
and their history, "Add to my programs", proposals to the curators."""

import datetime
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.models import Program
from catalogue.models import CatalogueProgram, FactChange, FactKind, Institution, Proposal
from catalogue.proposals import PER_DAY, SENT
from tests.factories import give_fact, make_catalogue_program, make_program

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalogue:search")
PROPOSE = reverse("catalogue:propose")
PROPOSALS = reverse("catalogue:proposals")
HTMX = {"HX-Request": "true"}


def add_url(entry) -> str:
    return reverse("applications:program_add", args=[entry.pk])


def correct_url(entry) -> str:
    return reverse("catalogue:correct", args=[entry.pk])


@pytest.fixture
def metro(db):
    institution = Institution.objects.create(name="Metro General Hospital", state="NJ")
    return make_catalogue_program(
        name="Metro Internal Medicine",
        institution=institution,
        city="Newark",
        state="NJ",
        program_url="https://metro.example.org/im/",
    )


def test_anonymous_is_sent_to_log_in(client, metro):
    urls = [SEARCH, PROPOSE, PROPOSALS, metro.get_absolute_url(), correct_url(metro)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
    response = client.post(add_url(metro))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Program.objects.exists()


def test_search_finds_published_programs_only(member_client, metro):
    make_catalogue_program(name="Hidden Surgery", published=False)
    make_catalogue_program(name="Lakeside Pediatrics", specialty="Pediatrics", state="OH")
    page = member_client.get(SEARCH, {"q": "metro gen"})  # the last word as a prefix
    assertContains(page, "Metro Internal Medicine")
    assertContains(page, "Metro General Hospital")
    assertContains(page, "Newark, NJ")
    assertNotContains(page, "Lakeside")
    assertContains(page, 'hx-trigger="submit, input delay:300ms"')
    assert "Hidden Surgery" not in member_client.get(SEARCH, {"q": "hidden"}).content.decode()
    everything = member_client.get(SEARCH).content.decode()
    assert "Lakeside Pediatrics" in everything and "Hidden Surgery" not in everything


def test_search_filters_by_specialty_and_state(member_client, metro):
    make_catalogue_program(name="Lakeside Pediatrics", specialty="Pediatrics", state="OH")
    page = member_client.get(SEARCH, {"specialty": "Pediatrics"}).content.decode()
    assert "Lakeside Pediatrics" in page and "Metro Internal Medicine" not in page
    page = member_client.get(SEARCH, {"state": "NJ"}).content.decode()
    assert "Metro Internal Medicine" in page and "Lakeside" not in page
    # A value not offered is a form error, not a 500, and shows nothing.
    bad = member_client.get(SEARCH, {"state": "ZZ'--"})
    assert bad.status_code == 200
    assertContains(bad, "That search could not be understood.")


def test_search_by_acgme_id(member_client, metro):
    page = member_client.get(SEARCH, {"q": metro.acgme_id})
    assertContains(page, "Metro Internal Medicine")


def test_htmx_search_answers_the_results_fragment_only(member_client, metro):
    response = member_client.get(SEARCH, {"q": "metro"}, headers=HTMX)
    body = response.content.decode()
    assert "Metro Internal Medicine" in body
    assert "<html" not in body and 'role="search"' not in body
    assert "HX-Request" in response["Vary"]


def test_search_is_paginated(member_client, metro):
    for n in range(25):
        make_catalogue_program(name=f"Program {n:02d}")
    first = member_client.get(SEARCH).content.decode()
    assert first.count('class="card program-card"') == 20
    assert "Page 1 of 2" in first
    second = member_client.get(SEARCH, {"page": "2"}).content.decode()
    assert second.count('class="card program-card"') == 6
    assert member_client.get(SEARCH, {"page": "abc"}).status_code == 200


def test_search_bounds_what_it_ranks(member_client, metro, monkeypatch):
    for n in range(4):
        make_catalogue_program(name=f"Metro Surgery {n}")
    monkeypatch.setattr("catalogue.views.RANK_AT_MOST", 3)
    page = member_client.get(SEARCH, {"q": "metro"})
    assertContains(page, "More than 3")
    assert page.content.decode().count('class="card program-card"') == 3


def test_wrong_methods_are_405(member_client, metro):
    assert member_client.post(SEARCH).status_code == 405
    assert member_client.post(metro.get_absolute_url()).status_code == 405
    assert member_client.post(PROPOSALS).status_code == 405
    assert member_client.get(add_url(metro)).status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_search_query_count_is_constant(member_client, member, count, django_assert_num_queries):
    for n in range(count):
        entry = make_catalogue_program()
        for kind in FactKind.values[:4]:
            give_fact(entry, kind, "unknown")
        if n % 2:
            make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    # session, user, specialties, states (the filters' choices), count, the page's ids, the
    # page's programs with their institutions and the member's own program (a subquery): no
    # facts. Then from the search cache: session, user, the page's programs.
    with django_assert_num_queries(7):
        page = member_client.get(SEARCH)
    with django_assert_num_queries(3):
        again = member_client.get(SEARCH)
    shown = min(count, 20)
    assert page.content.decode().count('class="card program-card"') == shown
    assert again.content.decode().count('class="card program-card"') == shown
    # the htmx fragment: session, user, count, the page's ids, the page (then 3 from the cache)
    with django_assert_num_queries(5):
        member_client.get(SEARCH, {"q": "catalogue"}, headers=HTMX)
    with django_assert_num_queries(3):
        member_client.get(SEARCH, {"q": "Catalogue"}, headers=HTMX)  # the same search
    # nothing found: session, user, count (no page to read, nobody's list to look at)
    with django_assert_num_queries(3):
        member_client.get(SEARCH, {"q": "zzzz"}, headers=HTMX)
    with django_assert_num_queries(2):
        member_client.get(SEARCH, {"q": "zzzz"}, headers=HTMX)


def test_results_say_which_programs_the_member_keeps(member_client, member, metro):
    other = make_catalogue_program(name="Lakeside Pediatrics")
    mine = make_program(member, name=metro.name, specialty=metro.specialty, catalogue=metro)
    page = member_client.get(SEARCH).content.decode()
    assert f'href="{mine.get_absolute_url()}"' in page and "On your list" in page
    assert f'formaction="{add_url(other)}"' in page
    assert f'formaction="{add_url(metro)}"' not in page


def test_another_members_list_is_not_shown(member_client, other_member, metro):
    make_program(other_member, name=metro.name, specialty=metro.specialty, catalogue=metro)
    page = member_client.get(SEARCH).content.decode()
    assert "On your list" not in page and f'formaction="{add_url(metro)}"' in page


def test_program_page_shows_facts_with_source_date_and_history(member_client, curator, metro):
    give_fact(metro, FactKind.J1, "no", by=curator, checked_on=datetime.date(2026, 10, 1))
    give_fact(metro, FactKind.J1, "yes", by=curator, source_url="https://example.org/visas")
    give_fact(metro, FactKind.STEP2CK_MINIMUM, "220")
    page = member_client.get(metro.get_absolute_url())
    assertContains(page, "Metro General Hospital")
    assertContains(page, "J-1 sponsorship")
    assertContains(page, "checked 1 Nov 2026")
    assertContains(page, 'href="https://example.org/visas"')
    assertContains(page, "Unknown")  # H-1B: no row
    assertContains(page, "changed from “no” to “yes” by a curator")
    assertNotContains(page, curator.email)
    assertContains(page, "Propose a correction")
    assertContains(page, "Add to my programs")
    assert FactChange.objects.filter(program=metro).count() == 3


def test_unpublished_or_missing_program_is_404(member_client, metro):
    hidden = make_catalogue_program(published=False)
    for entry_pk in (hidden.pk, 999999):
        assert member_client.get(reverse("catalogue:program", args=[entry_pk])).status_code == 404
        assert member_client.get(reverse("catalogue:correct", args=[entry_pk])).status_code == 404
        response = member_client.post(reverse("applications:program_add", args=[entry_pk]))
        assert response.status_code == 404
    assert not Program.objects.exists()


# --- Proposals --------------------------------------------------------------------------


def correction(**overrides):
    data = {
        "kind": FactKind.H1B,
        "value": "Yes",
        "source_url": "https://metro.example.org/visas",
        "comment": "Their page says so since October.",
    }
    return {**data, **overrides}


def test_propose_a_correction(member_client, member, metro):
    response = member_client.post(correct_url(metro), correction(), follow=True)
    assertContains(response, SENT)
    proposal = Proposal.objects.get()
    assert (proposal.user, proposal.program, proposal.kind, proposal.value) == (
        member,
        metro,
        FactKind.H1B,
        "yes",
    )
    assert proposal.status == Proposal.Status.OPEN
    assert not metro.facts.exists()  # it changes nothing by itself


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        (
            {"value": "maybe"},
            "value",
            "Enter &quot;yes&quot;, &quot;no&quot; or &quot;unknown&quot;.",
        ),
        ({"kind": FactKind.STEP2CK_MINIMUM, "value": "999"}, "value", "from 1 to 300"),
        ({"kind": "step9"}, "kind", "Select a valid choice"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a valid URL"),
        ({"source_url": "ftp://example.org/x"}, "source_url", "starting with https://"),
        ({"source_url": ""}, "source_url", "This field is required"),
    ],
)
def test_bad_corrections_are_refused_next_to_the_field(
    member_client, metro, overrides, field, message
):
    response = member_client.post(correct_url(metro), correction(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assertContains(response, message)
    assert not Proposal.objects.exists()


def test_a_double_submit_makes_one_proposal(member_client, metro):
    member_client.post(correct_url(metro), correction())
    response = member_client.post(correct_url(metro), correction(value="yes"))
    assertContains(response, "You have already proposed this")
    assert Proposal.objects.count() == 1


def test_proposals_are_rate_limited_per_member(member_client, member, other_member, metro):
    for n in range(PER_DAY):
        Proposal.objects.create(
            user=member, program=metro, kind=FactKind.NOTE, value=f"note {n}",
            source_url="https://example.org/",
        )  # fmt: skip
    response = member_client.post(correct_url(metro), correction())
    assertContains(response, f"You have sent {PER_DAY} proposals in the last 24 hours")
    assert Proposal.objects.count() == PER_DAY
    # older than 24 hours: no longer counted
    Proposal.objects.filter(user=member).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    member_client.post(correct_url(metro), correction())
    assert Proposal.objects.count() == PER_DAY + 1


def test_propose_a_new_program(member_client, member):
    data = {
        "institution_name": "Riverside Health",
        "name": "Riverside Family Medicine",
        "specialty": "Family Medicine",
        "city": "Camden",
        "state": "NJ",
        "acgme_id": "",
        "nrmp_code": "",
        "source_url": "https://riverside.example.org/fm/",
        "comment": "",
    }
    response = member_client.post(PROPOSE, data, follow=True)
    assertContains(response, SENT)
    assertContains(response, "Riverside Family Medicine")
    assertContains(response, "Waiting for review")
    assert not CatalogueProgram.objects.filter(name="Riverside Family Medicine").exists()
    again = member_client.post(PROPOSE, data)
    assertContains(again, "You have already proposed this")
    bad = member_client.post(PROPOSE, {**data, "name": "", "source_url": "data:text/html,x"})
    assert {"name", "source_url"} <= set(bad.context["form"].errors)
    assert Proposal.objects.count() == 1


def test_a_member_sees_only_their_own_proposals(member_client, other_member, metro):
    Proposal.objects.create(
        user=other_member, program=metro, kind=FactKind.NOTE, value="Bob's secret note",
        source_url="https://example.org/bob",
    )  # fmt: skip
    page = member_client.get(PROPOSALS)
    assertNotContains(page, "Bob&#x27;s secret note")
    assertNotContains(page, "example.org/bob")
    assertNotContains(member_client.get(metro.get_absolute_url()), other_member.email)


def test_a_proposal_page_is_its_authors_only(member_client, member, other_member, metro):
    mine = Proposal.objects.create(
        user=member, program=metro, kind=FactKind.H1B, value="yes",
        source_url="https://example.org/mine",
    )  # fmt: skip
    bobs = Proposal.objects.create(
        user=other_member, program=metro, kind=FactKind.NOTE, value="Bob's note",
        source_url="https://example.org/bob",
    )  # fmt: skip
    page = member_client.get(mine.get_absolute_url())
    assertContains(page, "Waiting for review")
    assertContains(page, 'href="https://example.org/mine"')
    assert member_client.get(bobs.get_absolute_url()).status_code == 404
    assert member_client.post(mine.get_absolute_url()).status_code == 405
    assert member_client.get(reverse("catalogue:proposal", args=[0])).status_code == 404


def test_cached_results_follow_every_change_of_the_catalogue(member_client, member, metro):
    """The search's cache is under the catalogue's token: a new program, a renamed
    institution, an unpublished program and the member's own list all show at once."""
    assert "Lakeside" not in member_client.get(SEARCH, {"q": "lake"}).content.decode()
    lakeside = make_catalogue_program(name="Lakeside Pediatrics", state="OH")
    page = member_client.get(SEARCH, {"q": "lake"}).content.decode()
    assert "Lakeside Pediatrics" in page
    assert '<option value="OH">' in member_client.get(SEARCH).content.decode()
    lakeside.institution.name = "Renamed Health System"
    lakeside.institution.save()
    assert "Renamed Health System" in member_client.get(SEARCH, {"q": "lake"}).content.decode()
    make_program(member, name=lakeside.name, specialty=lakeside.specialty, catalogue=lakeside)
    assert "On your list" in member_client.get(SEARCH, {"q": "lake"}).content.decode()
    lakeside.published = False
    lakeside.save()
    assert "Lakeside" not in member_client.get(SEARCH, {"q": "lake"}).content.decode()


def test_a_renamed_institution_is_found_by_its_new_name(member_client, metro):
    metro.institution.name = "Riverside Health Partners"
    metro.institution.save()
    page = member_client.get(SEARCH, {"q": "riverside partn"}).content.decode()
    assert metro.name in page


def test_cached_cards_follow_every_change_of_a_program(member_client, metro):
    """Each page's cards are rendered once per catalogue token (catalogue/views.py Card):
    every field a card shows, or a search matches, changes the next page."""
    lake = make_catalogue_program(name="Lakeside Pediatrics", specialty="Pediatrics")

    def page(**query) -> str:
        return member_client.get(SEARCH, query).content.decode()

    def fragment(**query) -> str:
        return member_client.get(SEARCH, query, headers=HTMX).content.decode()

    assert "Metro Internal Medicine" in page() and "Metro Internal Medicine" in fragment()
    metro.name = "Metro Medicine & Primary Care"
    metro.save()
    for body in (page(), fragment()):
        assert "Metro Medicine &amp; Primary Care" in body and "Metro Internal Medicine" not in body
    metro.institution.name = "Riverside Health"
    metro.institution.save()
    assert "Riverside Health" in page() and "Metro General Hospital" not in fragment()
    metro.city, metro.state, metro.specialty = "Trenton", "PA", "Family Medicine"
    metro.save()
    assert "Family Medicine · Trenton, PA" in page(q="metro")
    assert '<option value="PA">' in page()  # the cached filter fields offer the new state
    # the codes: searched for, not shown
    assert "Primary Care" in page(q=metro.acgme_id)
    old_code = metro.acgme_id
    metro.acgme_id, metro.nrmp_code = "1409990001", "9999140C0"
    metro.save()
    assert "No programs match" in page(q=old_code)
    assert "Primary Care" in fragment(q="1409990001") and "Primary Care" in page(q="9999140c0")
    lake.published = False
    lake.save()
    assert "Lakeside" not in page() and "Lakeside" not in fragment(q="lake")
    assert '<option value="Pediatrics">' not in page()
    lake.published = True
    lake.save()
    assert "Lakeside Pediatrics" in fragment(q="lake")
    metro.delete()
    assert "Riverside" not in page() and "Metro" not in fragment()


def test_the_cached_filter_fields_show_each_query_strings_values(member_client, metro):
    make_catalogue_program(name="Lakeside Pediatrics", specialty="Pediatrics", state="OH")
    plain = member_client.get(SEARCH).content.decode()
    assert 'value="OH" selected' not in plain
    chosen = member_client.get(SEARCH, {"state": "OH", "q": '"lake'}).content.decode()
    assert '<option value="OH" selected>' in chosen
    assert 'value="&quot;lake"' in chosen  # the words typed, escaped
    again = member_client.get(SEARCH).content.decode()
    assert 'value="OH" selected' not in again and "&quot;lake" not in again
    # a value not offered: the form's error, never cached under another query string
    bad = member_client.get(SEARCH, {"state": "ZZ"}).content.decode()
    assert "Select a valid choice" in bad
    assert "Select a valid choice" not in member_client.get(SEARCH).content.decode()


def test_a_members_kept_state_is_never_shared(client, member, other_member, metro):
    """The cards are shared; whether a member keeps each is read per request and the CSRF
    token is in the page's one form: neither is ever in the cache."""
    from django.core.cache import caches

    caches["directory"].clear()  # only this test's entries, to look at below
    lake = make_catalogue_program(name="Lakeside Pediatrics")
    mine = make_program(member, name=metro.name, specialty=metro.specialty, catalogue=metro)
    client.force_login(member)
    alices = client.get(SEARCH).content.decode()
    assert f'href="{mine.get_absolute_url()}"' in alices
    assert f'formaction="{add_url(lake)}"' in alices
    client.force_login(other_member)
    bobs = client.get(SEARCH).content.decode()  # the same cached cards
    assert "On your list" not in bobs and mine.get_absolute_url() not in bobs
    assert f'formaction="{add_url(metro)}"' in bobs
    his = make_program(other_member, name="Our first choice", catalogue=lake)
    bobs = client.get(SEARCH, headers=HTMX).content.decode()
    assert f'href="{his.get_absolute_url()}"' in bobs and mine.get_absolute_url() not in bobs
    client.force_login(member)
    alices = client.get(SEARCH, headers=HTMX).content.decode()
    assert his.get_absolute_url() not in alices and f'formaction="{add_url(lake)}"' in alices
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', alices).group(1)
    stored = repr([caches["directory"].get(key.split(":", 2)[-1]) for key in cached_keys()])
    assert "Lakeside Pediatrics" in stored and 'id="id_specialty"' in stored  # cards, fields
    for personal in (mine.get_absolute_url(), his.get_absolute_url(), "On your list", token):
        assert personal not in stored


def cached_keys() -> list[str]:
    """The keys in the (locmem) directory cache, as stored (":1:" + the key)."""
    from django.core.cache import caches

    return list(caches["directory"]._cache)


def test_add_without_javascript_posts_the_pages_one_form(member, metro):
    """Each card's button submits the page's #keep-form (its CSRF token) to the card's own
    address; without the token it is refused, and a second click adds nothing."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    page = browser.get(SEARCH).content.decode()
    form = re.search(r'<form id="keep-form" method="post"[^>]*>(.*?)</form>', page, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)
    button = re.search(r'<button type="submit" form="keep-form" formaction="([^"]+)"', page)
    assert button.group(1) == add_url(metro)
    assert browser.post(button.group(1)).status_code == 403  # no token
    assert not Program.objects.exists()
    for _ in range(2):  # a double click
        response = browser.post(button.group(1), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
    kept = Program.objects.get(user=member, catalogue=metro)
    assert response.url == kept.get_absolute_url()
    assert f'href="{kept.get_absolute_url()}"' in browser.get(SEARCH).content.decode()


def test_a_linked_private_program_shows_as_kept_at_once(member_client, member, metro):
    """Linking or unlinking a private program writes no catalogue row (no new token): the
    cards stay cached, the member's list is read on every request."""
    own = make_program(member, name="My Metro notes", specialty=metro.specialty)
    assert "On your list" not in member_client.get(SEARCH).content.decode()
    link = reverse("applications:program_link", args=[own.pk])
    member_client.post(link, {"catalogue": metro.pk})
    assert f'href="{own.get_absolute_url()}"' in member_client.get(SEARCH).content.decode()
    member_client.post(reverse("applications:program_unlink", args=[own.pk]))
    page = member_client.get(SEARCH).content.decode()
    assert "On your list" not in page and f'formaction="{add_url(metro)}"' in page
