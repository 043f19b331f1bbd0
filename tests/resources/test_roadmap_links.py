"""Resources linked to milestones appear on the member's dashboard and milestone pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(make_resource, milestone):
    """One published and one unpublished resource, both linked to the milestone."""
    shown = make_resource(title="ECFMG certificate guide", milestones=[milestone])
    hidden = make_resource(title="Draft guide", milestones=[milestone], published=False)
    return shown, hidden


def test_next_steps_show_published_resources_of_the_milestone(member_client, linked):
    shown, hidden = linked
    response = member_client.get(reverse("pathways:dashboard"))
    items = {item.milestone.slug: item for item in response.context["roadmap"].next_steps}
    links = items["ecfmg-certificate"].resources
    assert [(link.title, link.url) for link in links] == [(shown.title, shown.get_absolute_url())]
    html = response.content.decode()
    assert shown.get_absolute_url() in html
    assert "Draft guide" not in html


def test_next_steps_show_the_first_two_by_title_and_follow_each_change(
    member_client, make_resource, milestone
):
    def shown() -> list[str]:
        response = member_client.get(reverse("pathways:dashboard"))
        items = {item.milestone.slug: item for item in response.context["roadmap"].next_steps}
        return [link.title for link in items["ecfmg-certificate"].resources]

    guides = [make_resource(title=t, milestones=[milestone]) for t in ("C guide", "A guide")]
    assert shown() == ["A guide", "C guide"]
    make_resource(title="B guide", milestones=[milestone])  # a new one, in title order
    assert shown() == ["A guide", "B guide"]
    guides[1].published = False  # unpublished: gone at once
    guides[1].save()
    assert shown() == ["B guide", "C guide"]
    guides[0].milestones.clear()  # unlinked
    assert shown() == ["B guide"]


def test_milestone_page_lists_published_resources_only(member_client, linked, milestone):
    shown, hidden = linked
    html = member_client.get(milestone.get_absolute_url()).content.decode()
    assert "ECFMG certificate guide" in html
    assert "Draft guide" not in html


def test_milestone_page_without_resources_points_to_the_directory(member_client, milestone):
    html = member_client.get(milestone.get_absolute_url()).content.decode()
    assert "No curated resources are linked" in html
