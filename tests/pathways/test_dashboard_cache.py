"""The dashboard's content is cached under a key made of everything it reads, so it cannot
go stale (pathways/dashboard_cache.py): for every input, change it and see the next page
change; cross midnight; and no member can be served another's entry."""

import dataclasses
import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notice, Profile
from pathways.models import DateChange, EntryRestriction, MatchCycle, Milestone, Rule, Slugs
from pathways.roadmap import RoadmapData
from tests.factories import make_member, make_resource, record

DASHBOARD = reverse("pathways:dashboard")
NOON = datetime.datetime(2026, 12, 5, 17, tzinfo=datetime.UTC)  # 12:00 in New York


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def body(client) -> str:
    """The content block of the dashboard (the page around it carries a new CSP nonce and
    CSRF token on every response)."""
    html = client.get(DASHBOARD).content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_the_roadmap_reads_nothing_the_key_does_not_cover():
    """A new input of the roadmap must join the key (and the walk below) before this passes."""
    assert [f.name for f in dataclasses.fields(RoadmapData)] == [
        "profile",  # profile.updated_at
        "milestones",  # curated token
        "prerequisites",  # curated token
        "progress",  # newest updated_at and count of the member's rows
        "cycle",  # curated token
        "rules",  # curated token
        "restrictions",  # curated token
        "content_token",  # the curated token itself
    ]


def test_a_second_view_is_served_from_the_cache(member_client, member, curated, frozen,
                                                django_assert_num_queries):  # fmt: skip
    first = body(member_client)
    with django_assert_num_queries(3):  # session, user, profile with the data version
        assert body(member_client) == first


@pytest.fixture
def alice(member, curated):
    """Alice with a Step 1 pass (ECFMG's window runs) and a nationality under an entry
    restriction (the dashboard shows both), so each curated input below shows."""
    Profile.objects.filter(user=member).update(citizenship="NG")
    passed = datetime.date(2021, 3, 15)
    record(member, Slugs.STEP1, status="done", outcome="passed", completed_date=passed)
    return member


def change_profile(member):
    profile = Profile.objects.get(user=member)
    profile.citizenship = "IN"  # no entry restriction any more
    profile.save()


def change_progress(member):
    record(member, "eligible-school", status="done")  # one more done; the next steps move on


def change_milestone(member):
    milestone = Milestone.objects.get(slug="eligible-school")
    milestone.title = "Renamed by a curator"
    milestone.save()


def change_cycle(member):
    cycle = MatchCycle.objects.get(year=2027)
    cycle.rol_deadline = datetime.date(2027, 3, 2)
    cycle.save()
    DateChange.objects.create(kind="cycle", cycle=cycle, field="rol_deadline", label="ROL")


def change_rule(member):
    rule = Rule.objects.get(key="ecfmg_exam_window_years")
    rule.value = 6  # her window alert follows it
    rule.save()


def change_restriction(member):
    restriction = EntryRestriction.objects.get(country="NG")
    restriction.ends_on = datetime.date(2026, 12, 1)  # lifted
    restriction.save()


def add_notice(member):
    Notice.objects.create(
        user=member, key="catalogue-change:1", message="Example IM: H-1B sponsorship changed."
    )


def change_resource(member):
    next_step = Milestone.objects.get(slug="eligible-school")
    make_resource(title="A brand new guide", milestones=[next_step])


# Every input of the roadmap, changed as the site changes it.
CHANGES = [
    change_profile,
    change_progress,
    change_milestone,
    change_cycle,
    change_rule,
    change_restriction,
    change_resource,
]


@pytest.mark.parametrize("change", [*CHANGES, add_notice], ids=lambda f: f.__name__)
def test_every_input_changes_the_next_page(client, alice, frozen, change):
    client.force_login(alice)
    before = body(client)
    assert body(client) == before  # a hit
    change(alice)
    assert body(client) != before


TIMELINE = reverse("pathways:timeline")
STEP1_PAGE = reverse("pathways:milestone", args=[Slugs.STEP1])
NEXT_STEP_PAGE = reverse("pathways:milestone", args=["eligible-school"])
# A dashboard section's rows as htmx loads them when the section is opened (a fragment).
SECTIONS = [reverse("pathways:category", args=[key]) for key in ("exams", "ecfmg", "visa")]
# A milestone's progress form: its page, and alone as a dashboard row loads it (htmx).
FORM_PAGES = [reverse("pathways:progress", args=[slug]) for slug in (Slugs.STEP1, "oet")]
FORMS = [url + "#htmx" for url in FORM_PAGES]
PAGES = [TIMELINE, STEP1_PAGE, NEXT_STEP_PAGE, *SECTIONS, *FORM_PAGES, *FORMS]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def main_of(client, url: str) -> str:
    """The page's content block; a fragment whole (it has no page around it). The CSRF token
    is left out: each response carries its own."""
    if url in SECTIONS or url in FORMS:
        response = client.get(url.removesuffix("#htmx"), headers={"HX-Request": "true"})
        assert response.status_code == 200
        return TOKEN.sub("", response.content.decode())
    html = client.get(url).content.decode()
    return TOKEN.sub("", html[html.index('<main id="main"') : html.index("</main>")])


@pytest.mark.parametrize("url", PAGES)
def test_the_timeline_and_milestone_pages_are_served_from_the_cache(
    member_client, alice, frozen, url, django_assert_num_queries
):
    member_client.force_login(alice)
    first = main_of(member_client, url)
    with django_assert_num_queries(3):  # session, user, profile with the data version
        assert main_of(member_client, url) == first


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("url", PAGES)
def test_after_any_change_the_cached_pages_are_what_a_fresh_build_shows(
    client, alice, frozen, change, url
):
    """The timeline, a milestone's page and a section's rows read a subset of the dashboard's
    inputs, under the same key: after each change, the page served is the page built from
    nothing."""
    from django.core.cache import caches

    client.force_login(alice)
    main_of(client, url)  # cached before the change
    change(alice)
    served = main_of(client, url)
    caches["situation"].clear()
    assert served == main_of(client, url)


def test_a_sections_rows_follow_a_saved_row(client, alice, frozen):
    key = Milestone.objects.get(slug="eligible-school").category
    url = reverse("pathways:category", args=[key])
    client.force_login(alice)
    before = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="row-eligible-school" class="roadmap-row status-not_started"' in before
    change_progress(alice)  # eligible-school done
    after = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="row-eligible-school" class="roadmap-row status-done"' in after


def test_an_unknown_section_is_a_404_and_nothing_is_cached(client, alice, frozen):
    from django.core.cache import caches

    client.force_login(alice)
    url = reverse("pathways:category", args=["no-such-category"])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert not caches["situation"]._cache


@pytest.mark.parametrize("url", FORM_PAGES)
def test_a_cached_form_carries_this_requests_token_and_none_is_stored(alice, frozen, url):
    from django.core.cache import caches
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(url)  # cached
    html = client.get(url).content.decode()  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    stored = repr(dict(caches["situation"]._cache))
    assert token not in stored and client.cookies["csrftoken"].value not in stored
    data = {"csrfmiddlewaretoken": token, "status": "in_progress", "attempts": "1"}
    assert client.post(url, data).status_code == 302  # the token works: saved


def test_a_saved_row_opens_with_its_new_values(client, alice, frozen):
    client.force_login(alice)
    url = reverse("pathways:progress", args=["eligible-school"])
    htmx = {"HX-Request": "true"}
    assert "Booked</textarea>" not in client.get(url, headers=htmx).content.decode()
    saved = client.post(url, {"status": "in_progress", "notes": "Booked"}, headers=htmx)
    assert "Saved" in saved.content.decode()
    form = client.get(url, headers=htmx).content.decode()
    assert "Booked</textarea>" in form


def test_a_milestone_page_for_a_member_not_onboarded_is_not_cached(
    client, curated, django_assert_num_queries
):
    from django.core.cache import caches

    newcomer = make_member("newcomer@example.com", onboarded=False)
    client.force_login(newcomer)
    assert client.get(STEP1_PAGE).status_code == 200
    assert client.get(reverse("pathways:milestone", args=["no-such-step"])).status_code == 404
    assert not caches["situation"]._cache  # nothing stored for a visitor to the explanation


def test_the_page_follows_the_members_date_across_midnight(member_client, member, curated, frozen):
    before = body(member_client)
    frozen.move_to(datetime.datetime(2026, 12, 6, 5, 1, tzinfo=datetime.UTC))  # 00:01 in NY
    member_client.force_login(member)
    after = body(member_client)
    assert after != before  # days left moved on


def test_no_member_is_served_another_members_entry(member, curated):
    from pathways import dashboard_cache

    twin = make_member("twin@example.com")  # the same answers
    same_time = Profile.objects.get(user=member).updated_at
    Profile.objects.filter(user=twin).update(updated_at=same_time)
    day = datetime.date(2026, 12, 5)
    keys = {
        dashboard_cache.key_for(dashboard_cache.versioned_profile(user), day)
        for user in (member, twin)
    }
    assert len(keys) == 2  # the member's id is part of the key


def test_a_dismissal_changes_the_next_page(client, alice, frozen):
    """Dismissed elsewhere (another tab, the confirm page): the cached page must not show it."""
    client.force_login(alice)
    notices = [
        Notice.objects.create(user=alice, key=f"catalogue-change:{n}", message=f"Change {n}.")
        for n in (1, 2)
    ]
    before = body(client)
    assert body(client) == before and "Change 1." in before  # a hit
    client.post(reverse("accounts:dismiss_notice", args=[notices[0].pk]))
    after = body(client)
    assert "Change 1." not in after and "Change 2." in after
