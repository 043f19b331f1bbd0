"""A resource's page is cached for everyone under the resources' token and the curated
roadmap's (resources/views.py `detail_page`), so it cannot go stale: for every input, change
it and see the next page change; cross the day its review turns a year old; unpublish it and
see a 404 at once; and whether a resource is saved is never shared between members."""

import dataclasses
import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from pathways import curated_cache
from pathways.models import Milestone
from resources.models import Resource, SavedResource, Tag
from resources.views import DetailPage
from tests.factories import make_member

NOON = datetime.datetime(2026, 11, 30, 17, tzinfo=datetime.UTC)  # 12:00 in New York
CHANGELIST = reverse("admin:resources_resource_changelist")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def url(resource: Resource) -> str:
    return reverse("resources:detail", args=[resource.slug])


def body(client, resource: Resource) -> str:
    """The content block (the page around it carries a new CSP nonce on every response)."""
    response = client.get(url(resource))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_the_page_reads_nothing_the_key_does_not_cover():
    """A new field of the cached page must be covered by the key before this passes."""
    assert [f.name for f in dataclasses.fields(DetailPage)] == [
        "pk",  # resources' token
        "slug",
        "title",
        "save_url",
        "report_url",
        "breadcrumbs",  # resources' token (category)
        "facts",  # resources' token (fields, Markdown, tags), today's date (stale badge)
        "milestones",  # resources' token (the links), curated token (titles, slugs)
        "is_saved",  # never cached: read per request for a member
    ]


def test_a_second_view_is_served_from_the_cache(client, resource, django_assert_num_queries):
    first = body(client, resource)
    with django_assert_num_queries(0):  # a visitor: nothing but the cache
        assert body(client, resource) == first


def test_a_member_reads_only_whether_they_saved_it(member_client, resource,
                                                   django_assert_num_queries):  # fmt: skip
    member_client.get(url(resource))
    with django_assert_num_queries(3):  # session, user, whether this member saved it
        response = member_client.get(url(resource))
    assert 'aria-pressed="false"' in response.content.decode()


def rename(resource, tag, milestone):
    resource.title = "Renamed by a curator"
    resource.save()
    return "Renamed by a curator"


def rewrite_text(resource, tag, milestone):
    resource.description = "Now **rewritten** by a curator."
    resource.save()
    return "<strong>rewritten</strong>"


def flag_for_review(resource, tag, milestone):
    resource.needs_review = True
    resource.save()
    return "A curator is re-checking this resource"


def add_tag(resource, tag, milestone):
    resource.tags.add(Tag.objects.create(name="j-1 waiver", slug="j-1-waiver"))
    return "#j-1 waiver"


def rename_tag(resource, tag, milestone):
    tag.name = "visas"
    tag.save()
    return "#visas"


def add_milestone(resource, tag, milestone):
    more = Milestone.objects.create(
        slug="step-2",
        title="Pass Step 2 CK",
        category="exams",
        summary="s",
        source_url="https://www.usmle.org/",
        last_reviewed=datetime.date(2025, 12, 1),
    )
    resource.milestones.add(more)
    return "Pass Step 2 CK"


def rename_milestone(resource, tag, milestone):
    milestone.title = "Hold the ECFMG Certificate"
    milestone.save()
    return "Hold the ECFMG Certificate"


def move_milestone_in_bulk(resource, tag, milestone):
    """As the content loader writes: no signals, then the curated token is replaced."""
    Milestone.objects.filter(pk=milestone.pk).update(slug="ecfmg-certified")
    curated_cache.forget()
    return reverse("pathways:milestone", args=["ecfmg-certified"])


@pytest.mark.parametrize(
    "change",
    [rename, rewrite_text, flag_for_review, add_tag, rename_tag, add_milestone, rename_milestone,
     move_milestone_in_bulk],
)  # fmt: skip
def test_each_change_shows_on_the_next_page(client, resource, tag, milestone, change):
    before = body(client, resource)
    shown = change(resource, tag, milestone)
    assert shown not in before
    after = body(client, resource)
    assert shown in after


def test_removed_tags_and_milestones_go_from_the_next_page(client, resource, tag, milestone):
    before = body(client, resource)
    assert "#visa" in before and milestone.title in before
    resource.tags.remove(tag)
    resource.milestones.clear()
    after = body(client, resource)
    assert "#visa" not in after and milestone.title not in after


def test_the_stale_badge_appears_the_day_the_review_turns_a_year_old(client, resource, frozen):
    # Reviewed on 1 December 2025: stale from 2 December 2026 (after 365 days) in New York.
    # Ten minutes either side of midnight, well within the entries' timeout.
    frozen.move_to(datetime.datetime(2026, 12, 2, 4, 50, tzinfo=datetime.UTC))  # 23:50
    assert "over a year ago" not in body(client, resource)
    frozen.move_to(datetime.datetime(2026, 12, 2, 5, 10, tzinfo=datetime.UTC))  # 00:10
    assert "over a year ago" in body(client, resource)


def test_reviewed_again_in_bulk_shows_on_the_next_page(client, curator, make_resource, frozen):
    frozen.move_to(NOON + datetime.timedelta(days=30))
    resource = make_resource(needs_review=True)
    before = body(client, resource)
    assert "over a year ago" in before and "re-checking" in before
    curators = Client()
    curators.force_login(curator)
    curators.post(CHANGELIST, {"action": "mark_reviewed_today", "_selected_action": [resource.pk]})
    after = body(client, resource)
    assert "over a year ago" not in after and "re-checking" not in after


def unpublish_in_admin(resource, curator):
    curators = Client()
    curators.force_login(curator)
    curators.post(CHANGELIST, {"action": "unpublish", "_selected_action": [resource.pk]})


def unpublish(resource, curator):
    resource.published = False
    resource.save()


def delete(resource, curator):
    resource.delete()


@pytest.mark.parametrize("change", [unpublish_in_admin, unpublish, delete])
def test_an_unpublished_or_deleted_resource_is_404_at_once(client, resource, curator, change):
    body(client, resource)
    change(resource, curator)
    assert client.get(url(resource)).status_code == 404


def test_a_404_is_not_kept(client, make_resource):
    draft = make_resource(published=False)
    assert client.get(url(draft)).status_code == 404
    Resource.objects.filter(pk=draft.pk).update(published=True)  # no signal, nothing to forget
    assert client.get(url(draft)).status_code == 200


def test_each_member_sees_their_own_save_state(client, member, resource):
    SavedResource.objects.create(user=member, resource=resource)
    other = make_member(email="other@example.org")
    clients = {"member": Client(), "other": Client(), "visitor": Client()}
    clients["member"].force_login(member)
    clients["other"].force_login(other)
    # The member fills the cache first, then the others read the same entry.
    pages = {name: body(c, resource) for name, c in clients.items()}
    assert 'aria-pressed="true"' in pages["member"]
    assert 'aria-pressed="false"' in pages["other"]
    assert "Log in to save" in pages["visitor"] and "aria-pressed" not in pages["visitor"]
    # And the other way round: a visitor's entry tells a member nothing.
    other_client = clients["other"]
    response = other_client.post(reverse("resources:save", args=[resource.slug]))
    assert response.status_code == 302
    assert 'aria-pressed="true"' in body(other_client, resource)
    assert 'aria-pressed="true"' in body(clients["member"], resource)
    SavedResource.objects.filter(user=member).delete()
    assert 'aria-pressed="false"' in body(clients["member"], resource)
