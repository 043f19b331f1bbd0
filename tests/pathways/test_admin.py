"""The curators' admin for milestones and prerequisites."""

import pytest
from django.core.exceptions import ValidationError

from pathways.models import Milestone, Prerequisite, find_cycle

pytestmark = pytest.mark.django_db


def test_find_cycle_names_the_loop():
    assert find_cycle([(1, 2), (2, 3)]) is None
    assert find_cycle([(1, 2), (2, 3), (3, 1)]) == [1, 2, 3, 1]
    assert find_cycle([(4, 4)]) == [4, 4]


def test_admin_refuses_a_cycle_in_the_prerequisite_graph(curated):
    step1 = Milestone.objects.get(slug="step-1")
    application = Milestone.objects.get(slug="ecfmg-application")
    # step-1 needs ecfmg-application (shipped); the reverse would close a loop.
    loop = Prerequisite(milestone=application, required=step1)
    with pytest.raises(ValidationError, match="cycle"):
        loop.full_clean()
    eligible = Milestone.objects.get(slug="eligible-school")
    with pytest.raises(ValidationError, match="cycle"):
        Prerequisite(milestone=eligible, required=step1).full_clean()  # a longer loop


def test_admin_inline_shows_the_cycle_error(curator_client, curated):
    eligible = Milestone.objects.get(slug="eligible-school")
    step1 = Milestone.objects.get(slug="step-1")
    url = f"/admin/pathways/milestone/{eligible.pk}/change/"
    page = curator_client.get(url)
    assert page.status_code == 200
    data = {
        field: getattr(eligible, field)
        for field in ["title", "slug", "category", "order", "summary", "explanation"]
    }
    data |= {
        "source_url": eligible.source_url,
        "last_reviewed": eligible.last_reviewed.isoformat(),
        "applies": eligible.applies,
        "records": eligible.records,
        "deadline": "",
        "deadline_note": "",
        "prerequisites-TOTAL_FORMS": "1",
        "prerequisites-INITIAL_FORMS": "0",
        "prerequisites-0-required": step1.pk,
        "prerequisites-0-kind": "hard",
    }
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "would create a cycle" in response.content.decode()
    assert not Prerequisite.objects.filter(milestone=eligible).exists()


def test_admin_lists_needs_review_and_hides_progress_from_curators(curator_client, curated):
    html = curator_client.get("/admin/pathways/milestone/?needs_review__exact=1").content.decode()
    assert "Pass USMLE Step 2 CK" in html
    assert curator_client.get("/admin/pathways/progress/").status_code == 403


def test_a_slug_is_read_only_once_the_milestone_exists(curator_client, curated):
    step1 = Milestone.objects.get(slug="step-1")
    html = curator_client.get(f"/admin/pathways/milestone/{step1.pk}/change/").content.decode()
    assert 'name="slug"' not in html and "step-1" in html
    assert 'name="slug"' in curator_client.get("/admin/pathways/milestone/add/").content.decode()
