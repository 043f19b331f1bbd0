"""Curators in the admin: list, filters, bulk actions, problem reports, CSV import/export."""

import datetime

import pytest
import tablib
import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from resources.models import ProblemReport, Resource
from resources.spreadsheets import ResourceSheet, escape_formula

CHANGELIST = reverse("admin:resources_resource_changelist")


def test_curator_sees_the_resource_list_with_stale_filter(curator_client, make_resource):
    make_resource(title="Fresh page", last_reviewed=datetime.date(2025, 12, 1))
    make_resource(title="Old page", last_reviewed=datetime.date(2024, 6, 1))
    with time_machine.travel(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)):
        response = curator_client.get(CHANGELIST, {"stale": "yes"})
        assertContains(response, "Old page")
        assertNotContains(response, "Fresh page")
        response = curator_client.get(CHANGELIST, {"stale": "no", "q": "page"})
        assertContains(response, "Fresh page")
        assertNotContains(response, "Old page")


def test_members_cannot_use_the_admin(member_client):
    assert member_client.get(CHANGELIST).status_code == 302


@pytest.mark.parametrize(
    ("action", "expected"),
    [("publish", {"published": True}), ("unpublish", {"published": False})],
)
def test_bulk_publish_and_unpublish(curator_client, make_resource, action, expected):
    resources = [make_resource(published=not expected["published"]) for _ in range(2)]
    response = curator_client.post(
        CHANGELIST, {"action": action, "_selected_action": [r.pk for r in resources]}
    )
    assert response.status_code == 302
    assert Resource.objects.filter(**expected).count() == 2


def test_bulk_mark_reviewed_today(curator_client, make_resource):
    resource = make_resource(last_reviewed=datetime.date(2024, 1, 1), needs_review=True)
    curator_client.post(
        CHANGELIST, {"action": "mark_reviewed_today", "_selected_action": [resource.pk]}
    )
    resource.refresh_from_db()
    assert resource.last_reviewed == timezone.localdate()
    assert not resource.needs_review


def test_change_form_shows_problem_reports_inline(curator_client, resource, member):
    ProblemReport.objects.create(resource=resource, user=member, kind="broken_link", message="Gone")
    response = curator_client.get(reverse("admin:resources_resource_change", args=[resource.pk]))
    assertContains(response, "Gone")
    assertContains(response, "Problem reports")


def test_admin_form_refuses_javascript_url(curator_client, resource):
    url = reverse("admin:resources_resource_change", args=[resource.pk])
    data = {
        "title": resource.title,
        "slug": resource.slug,
        "organisation": resource.organisation,
        "category": resource.category,
        "summary": resource.summary,
        "url": "javascript:alert(1)",
        "cost": resource.cost,
        "last_reviewed": "2025-12-01",
        "published": "on",
        "reports-TOTAL_FORMS": "0",
        "reports-INITIAL_FORMS": "0",
    }
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "Enter a valid URL")
    resource.refresh_from_db()
    assert resource.url == "https://www.ecfmg.org/evsp/"


def test_curator_resolves_reports_from_the_list(curator_client, curator, resource, member):
    report = ProblemReport.objects.create(resource=resource, user=member, kind="outdated")
    changelist = reverse("admin:resources_problemreport_changelist")
    assertContains(curator_client.get(changelist, {"resolved__exact": "0"}), resource.title)
    curator_client.post(changelist, {"action": "mark_resolved", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.resolved and report.resolved_by == curator and report.resolved_at


def test_curator_resolves_a_report_on_its_page(curator_client, curator, resource, member):
    report = ProblemReport.objects.create(resource=resource, user=member, kind="outdated")
    url = reverse("admin:resources_problemreport_change", args=[report.pk])
    response = curator_client.post(url, {"resolved": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved and report.resolved_by == curator


def test_curators_cannot_add_reports(curator_client):
    response = curator_client.get(reverse("admin:resources_problemreport_add"))
    assert response.status_code == 403


# --- CSV import and export -------------------------------------------------------------

HEADERS = [
    "slug", "title", "organisation", "category", "summary", "description", "url", "cost",
    "eligibility", "location", "tags", "milestones", "published", "last_reviewed", "needs_review",
]  # fmt: skip


def row(**fields) -> list[str]:
    values = {
        "slug": "new-resource",
        "title": "New resource",
        "organisation": "AAMC",
        "category": "match",
        "summary": "A summary.",
        "description": "",
        "url": "https://www.aamc.org/",
        "cost": "free",
        "eligibility": "",
        "location": "Online",
        "tags": "eras, match",
        "milestones": "ecfmg-certificate",
        "published": "1",
        "last_reviewed": "2025-12-01",
        "needs_review": "0",
        **fields,
    }
    return [values[header] for header in HEADERS]


def import_rows(*rows, dry_run=False):
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    return ResourceSheet().import_data(dataset, dry_run=dry_run)


def test_csv_import_creates_and_updates_by_slug(resource, milestone):
    result = import_rows(row(), row(slug=resource.slug, title="Renamed EVSP", tags="visa"))
    assert not result.has_errors() and not result.has_validation_errors()
    created = Resource.objects.get(slug="new-resource")
    assert {t.slug for t in created.tags.all()} == {"eras", "match"}
    assert list(created.milestones.all()) == [milestone]
    resource.refresh_from_db()
    assert resource.title == "Renamed EVSP"


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "javascript:alert(1)"},
        {"url": "ftp://files.example.org/"},
        {"category": "astrology"},
        {"milestones": "no-such-milestone"},
        {"last_reviewed": "2025-02-30"},
        {"title": ""},
    ],
)
def test_csv_import_with_a_bad_row_imports_nothing(resource, milestone, bad):
    result = import_rows(
        row(slug="good-one"), row(**bad), row(slug=resource.slug, title="Changed title")
    )
    assert result.has_errors() or result.has_validation_errors()
    assert not Resource.objects.filter(slug__in=["good-one", "new-resource"]).exists()
    resource.refresh_from_db()
    assert resource.title == "Exchange Visitor Sponsorship Program"


def test_csv_export_escapes_formulas_and_import_restores_them(make_resource, milestone):
    make_resource(
        slug="formula",
        title='=HYPERLINK("https://evil.example")',
        organisation="+cmd",
        summary="-2+3",
        eligibility="@SUM(A1)",
        location="\tOnline",
        milestones=[milestone],
    )
    dataset = ResourceSheet().export()
    exported = dict(zip(dataset.headers, dataset[0], strict=True))
    assert exported["title"] == '\'=HYPERLINK("https://evil.example")'
    assert exported["organisation"] == "'+cmd"
    assert exported["summary"] == "'-2+3"
    assert exported["eligibility"] == "'@SUM(A1)"
    assert exported["location"] == "'\tOnline"
    assert exported["milestones"] == "ecfmg-certificate"
    csv_text = dataset.csv
    assert "\n=" not in csv_text and ",=" not in csv_text
    # Round trip: importing the export changes nothing.
    result = ResourceSheet().import_data(tablib.Dataset().load(csv_text, format="csv"))
    assert not result.has_errors() and not result.has_validation_errors()
    assert Resource.objects.get(slug="formula").title == '=HYPERLINK("https://evil.example")'


def test_escape_formula_leaves_plain_values_alone():
    assert escape_formula("ECFMG") == "ECFMG"
    assert escape_formula(None) is None
    assert escape_formula("\rx") == "'\rx"


def test_admin_export_and_import_pages_work(curator_client, resource):
    response = curator_client.get(reverse("admin:resources_resource_export"))
    assert response.status_code == 200
    response = curator_client.get(reverse("admin:resources_resource_import"))
    assert response.status_code == 200
