"""The progress form's fields are shared by all its instances (pathways/forms.py
SharedFields): opening, refusing, saving and conflicting must leave them as they were."""

from django.urls import reverse

from pathways.forms import ProgressForm, recorded_fields
from pathways.models import Milestone

HTMX = {"HTTP_HX_REQUEST": "true"}


def state(fields: dict) -> dict[str, str]:
    """Everything a field and its widgets hold, as text (an object's repr names it)."""
    return {
        name: repr(sorted(vars(field).items()))
        + repr(sorted(vars(field.widget).items()))
        + repr(sorted(vars(field.hidden_widget).items()))
        for name, field in fields.items()
    }


def test_using_progress_forms_leaves_their_shared_fields_as_they_were(member_client, curated):
    slugs = ["step-1", "step-2-ck", "oet", "pathway", "usce"]
    milestones = {m.slug: m for m in Milestone.objects.filter(slug__in=slugs)}
    shared = {
        slug: recorded_fields(m.records, m.counts_attempts, m.records_expiry)
        for slug, m in milestones.items()
    }
    before = {slug: state(fields) for slug, fields in shared.items()}
    for slug in slugs:
        url = reverse("pathways:progress", args=[slug])
        assert member_client.get(url, **HTMX).status_code == 200  # the form, rendered
        refused = {"status": "done", "planned_date": "not a date", "attempts": "11", "version": ""}
        assert "errorlist" in member_client.post(url, refused, **HTMX).content.decode()
        saved = {"status": "in_progress", "attempts": "1", "version": ""}
        assert "Saved" in member_client.post(url, saved, **HTMX).content.decode()
        stale = {"status": "in_progress", "attempts": "2", "notes": "Other tab", "version": ""}
        assert "another tab" in member_client.post(url, stale, **HTMX).content.decode()
    assert {slug: state(fields) for slug, fields in shared.items()} == before
    # The instances share the field objects, not the dict (a form may still add or drop).
    milestone = milestones["step-1"]
    one, two = (
        ProgressForm(milestone=milestone, rules=None, today=None, instance=None) for _ in range(2)
    )
    assert one.fields is not two.fields and one.fields["status"] is two.fields["status"]
