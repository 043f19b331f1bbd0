"""Directory, detail, save toggle, saved page and problem reports."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from resources.models import ProblemReport, Resource, SavedResource

HTMX = {"HX-Request": "true"}
DIRECTORY = reverse("resources:directory")


def detail_url(resource: Resource) -> str:
    return reverse("resources:detail", args=[resource.slug])


# --- Directory ---------------------------------------------------------------


def test_directory_is_public_and_lists_published_resources(client, resource, make_resource):
    hidden = make_resource(title="Hidden draft", published=False)
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assertContains(response, resource.title)
    assertNotContains(response, hidden.title)
    assertContains(response, "<strong>1</strong> resource")
    assertContains(response, 'hx-push-url="true"')
    assertContains(response, f'action="{DIRECTORY}"')  # plain GET form without JavaScript


def test_directory_htmx_returns_the_results_fragment_only(client, resource):
    response = client.get(DIRECTORY, {"q": "sponsorship"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and '<form method="get"' not in html
    assert "result-count" in html and resource.title in html
    assert "HX-Request" in response["Vary"]


def test_directory_history_restore_gets_the_whole_page(client, resource):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client.get(DIRECTORY, {"q": "visa"}, headers=headers)
    assertContains(response, "<html")


def test_directory_search_and_filters_combine(client, resource, make_resource, tag):
    other = make_resource(title="Sponsorship FAQ", category="match", cost="free", location="Online")
    response = client.get(DIRECTORY, {"q": "sponsorship", "category": "visa"})
    assertContains(response, resource.title)
    assertNotContains(response, other.title)
    for params in [{"cost": "paid"}, {"location": "United States"}, {"tag": tag.slug}]:
        response = client.get(DIRECTORY, params)
        assertContains(response, resource.title)
        assertNotContains(response, other.title)
    response = client.get(DIRECTORY, {"q": "sponsorship", "cost": "free"})
    assertContains(response, other.title)
    assertNotContains(response, resource.title)


@pytest.mark.parametrize(
    "params",
    [{"category": "step9"}, {"cost": "H1B'--"}, {"tag": "no-such-tag"}, {"location": "Mars"}],
)
def test_directory_invalid_filter_shows_empty_state_not_an_error(client, resource, params):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    assertNotContains(response, resource.title)
    assertContains(response, "Select a valid choice")


def test_directory_empty_state_suggests_what_to_try(client, resource):
    response = client.get(DIRECTORY, {"q": "<b>zzzz</b>"}, headers=HTMX)
    assertContains(response, "No resources match")
    assertContains(response, "&lt;b&gt;zzzz&lt;/b&gt;")
    assertContains(response, "Things to try")


def test_directory_paginates_and_keeps_the_query(client, make_resource):
    for number in range(25):
        make_resource(title=f"Visa resource {number:02}")
    response = client.get(DIRECTORY, {"q": "visa"})
    assertContains(response, "<strong>25</strong> resources")
    assertContains(response, "Page 1 of 2")
    assertContains(response, 'href="?q=visa&amp;page=2"')
    response = client.get(DIRECTORY, {"q": "visa", "page": "2"}, headers=HTMX)
    assertContains(response, "Page 2 of 2")
    assert response.content.decode().count('class="card resource-card"') == 5
    assert client.get(DIRECTORY, {"page": "abc"}).status_code == 200


def test_directory_wrong_method(client):
    assert client.post(DIRECTORY).status_code == 405


def test_directory_shows_members_their_saved_state(member_client, member, resource):
    SavedResource.objects.create(user=member, resource=resource)
    response = member_client.get(DIRECTORY)
    assertContains(response, 'aria-pressed="true"')


@pytest.fixture
def fill(make_resource, tag):
    def fill(count: int) -> None:
        for _ in range(count):
            make_resource(title="Visa guide", summary="About visas", tags=[tag])

    return fill


@pytest.mark.parametrize("params", [{}, {"q": "visa gui", "cost": "free", "tag": "visa"}])
def test_directory_query_count_is_constant_for_visitors(
    client, fill, django_assert_num_queries, params
):
    for rows, total in ((3, 3), (30, 33)):
        fill(rows)  # saving resources replaces the resources' cache token
        # count, page of resources, their tags, location choices, tag choices
        with django_assert_num_queries(5):
            response = client.get(DIRECTORY, params)
        assertContains(response, "Visa guide")
        # Until a resource changes, the same search is answered from the cache.
        with django_assert_num_queries(0):
            again = client.get(DIRECTORY, params)
        assertContains(again, f"<strong>{total}</strong> resources")


def test_directory_query_count_is_constant_for_members(
    member_client, member, fill, django_assert_num_queries
):
    for rows in (3, 30):
        fill(rows)
        member_client.get(DIRECTORY)  # the results and choices into the cache
        # session, user, which of the page's resources this member saved
        with django_assert_num_queries(3):
            member_client.get(DIRECTORY)


def test_search_request_query_count_is_constant(client, fill, django_assert_num_queries):
    for rows in (3, 30):
        fill(rows)
        # count, page of ranked resources, their tags (no form choices in the fragment)
        with django_assert_num_queries(3):
            response = client.get(DIRECTORY, {"q": "visa gui"}, headers=HTMX)
        assertContains(response, "Visa guide")
        with django_assert_num_queries(0):
            client.get(DIRECTORY, {"q": "visa gui"}, headers=HTMX)


# --- Detail --------------------------------------------------------------------


def test_detail_shows_facts_review_date_and_milestones(client, resource, milestone):
    response = client.get(detail_url(resource))
    assert response.status_code == 200
    assertTemplateUsed(response, "resources/detail.html")
    for text in [
        resource.title,
        resource.organisation,
        "Visas and immigration",
        "Paid",
        "IMGs with a residency contract",
        "United States",
        'href="https://www.ecfmg.org/evsp/"',
        'datetime="2025-12-01"',
        "1 December 2025",
        f'<a href="{milestone.get_absolute_url()}">{milestone.title}</a>',
        "<strong>J-1</strong>",
    ]:
        assertContains(response, text)


def test_detail_of_unpublished_or_unknown_resource_is_404(client, make_resource):
    draft = make_resource(published=False)
    assert client.get(detail_url(draft)).status_code == 404
    assert client.get("/resources/no-such-thing/").status_code == 404


def test_detail_wrong_method(client, resource):
    assert client.post(detail_url(resource)).status_code == 405


def test_detail_query_count_is_constant(
    client, make_resource, milestone, tag, django_assert_num_queries
):
    from pathways.models import Milestone

    resource = make_resource(tags=[tag], milestones=[milestone])
    for extra in range(2):
        # Not cached yet (adding a milestone replaces the token): the resource, its tags,
        # its milestones. Served from the cache: none (tests/resources/test_detail_cache.py).
        with django_assert_num_queries(3):
            client.get(detail_url(resource))
        more = Milestone.objects.create(
            slug=f"m-{extra}",
            title=f"M {extra}",
            category="ecfmg",
            summary="s",
            source_url="https://example.org/",
            last_reviewed="2025-12-01",
        )
        resource.milestones.add(more)


# --- Hostile curator content --------------------------------------------------------


def test_hostile_curator_content_is_inert(client, make_resource):
    resource = make_resource(
        title="<img src=x onerror=alert(1)>",
        organisation='<script>alert("org")</script>',
        summary='<a href="javascript:alert(1)">x</a> hx-get="/admin/" {{ 7*7 }}',
        description=(
            "[x](JaVaScRiPt:alert(1)) [ok](https://www.ecfmg.org/)\n\n"
            '<iframe src="https://evil.example/"></iframe>\n\n'
            '<p onclick="alert(1)" hx-get="/admin/">para</p>\n\n'
            "<script>alert(2)</script>"
        ),
    )
    for url in [detail_url(resource), DIRECTORY]:
        html = client.get(url).content.decode()
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script>alert" not in html
        assert 'href="javascript:' not in html.lower()
        assert "<iframe" not in html
        assert "onclick" not in html
        assert "{{ 7*7 }}" in html  # shown as text, never evaluated
    html = client.get(detail_url(resource)).content.decode()
    assert 'href="https://www.ecfmg.org/"' in html  # safe links survive
    assert "<div hx-disable>" in html  # curator text cannot run htmx attributes


def test_unsafe_url_that_slipped_past_validation_is_never_a_link(client, make_resource):
    # The database constraint refuses javascript: URLs; even a weird http-looking one stays text.
    resource = make_resource(url='https://example.org/"><script>alert(1)</script>')
    html = client.get(detail_url(resource)).content.decode()
    assert "<script>alert(1)" not in html


# --- Save toggle and saved page ---------------------------------------------------


def save_url(resource: Resource) -> str:
    return reverse("resources:save", args=[resource.slug])


def test_save_requires_login(client, resource):
    response = client.post(save_url(resource))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not SavedResource.objects.exists()


def test_save_wrong_method(member_client, resource):
    assert member_client.get(save_url(resource)).status_code == 405


def test_save_toggle_with_htmx_returns_the_button(member_client, member, resource):
    response = member_client.post(save_url(resource), {"next": DIRECTORY}, headers=HTMX)
    assert response.status_code == 200
    assertContains(response, 'aria-pressed="true"')
    assertNotContains(response, "<html")
    assert SavedResource.objects.filter(user=member, resource=resource).exists()
    response = member_client.post(save_url(resource), headers=HTMX)
    assertContains(response, 'aria-pressed="false"')
    assert not SavedResource.objects.exists()


def test_save_without_javascript_redirects_to_next_or_detail(member_client, member, resource):
    response = member_client.post(save_url(resource), {"next": f"{DIRECTORY}?q=visa"})
    assert response.status_code == 302 and response["Location"] == f"{DIRECTORY}?q=visa"
    response = member_client.post(save_url(resource), {"next": "https://evil.example/"})
    assert response["Location"] == detail_url(resource)


def test_save_unpublished_or_unknown_resource_is_404(member_client, make_resource):
    draft = make_resource(published=False)
    assert member_client.post(save_url(draft)).status_code == 404
    assert member_client.post("/resources/nope/save/").status_code == 404


def test_saved_page_requires_login(client):
    response = client.get(reverse("resources:saved"))
    assert response.status_code == 302


def test_saved_page_shows_only_my_published_saves(
    member_client, member, other_member, resource, make_resource
):
    bobs = make_resource(title="Bob's pick")
    draft = make_resource(title="Withdrawn", published=False)
    SavedResource.objects.create(user=member, resource=resource)
    SavedResource.objects.create(user=member, resource=draft)
    SavedResource.objects.create(user=other_member, resource=bobs)
    response = member_client.get(reverse("resources:saved"))
    assertContains(response, resource.title)
    assertNotContains(response, bobs.title)
    assertNotContains(response, draft.title)


def test_saved_page_empty_state(member_client):
    assertContains(member_client.get(reverse("resources:saved")), "not saved any resources yet")


def test_saved_page_query_count_is_constant(
    member_client, member, make_resource, tag, django_assert_num_queries
):
    for rows in (2, 10):
        for _ in range(rows):
            SavedResource.objects.create(user=member, resource=make_resource(tags=[tag]))
        # session, user, saved resources, their tags
        with django_assert_num_queries(4):
            member_client.get(reverse("resources:saved"))


# --- Problem reports ------------------------------------------------------------------


def report_url(resource: Resource) -> str:
    return reverse("resources:report", args=[resource.slug])


def test_report_requires_login(client, resource):
    assert client.get(report_url(resource)).status_code == 302
    assert client.post(report_url(resource), {"kind": "outdated"}).status_code == 302
    assert not ProblemReport.objects.exists()


def test_report_wrong_method(member_client, resource):
    assert member_client.put(report_url(resource)).status_code == 405


def test_report_form_and_submit(member_client, member, resource):
    assertContains(member_client.get(report_url(resource)), "Report a problem")
    response = member_client.post(
        report_url(resource), {"kind": "broken_link", "message": "404 today", "user": "999"}
    )
    assert response.status_code == 302 and response["Location"] == detail_url(resource)
    report = ProblemReport.objects.get()
    assert (report.user, report.resource, report.kind) == (member, resource, "broken_link")
    assert not report.resolved


def test_report_htmx_returns_fragment(member_client, resource):
    response = member_client.post(report_url(resource), {"kind": "outdated"}, headers=HTMX)
    assertContains(response, "Thank you")
    assertNotContains(response, "<html")


@pytest.mark.parametrize("data", [{"kind": "step9"}, {}, {"kind": "wrong", "message": "x" * 1001}])
def test_report_invalid_input_rerenders_the_form(member_client, resource, data):
    response = member_client.post(report_url(resource), data, headers=HTMX)
    assert response.status_code == 200
    assertContains(response, "errorlist")
    assert not ProblemReport.objects.exists()


def test_one_open_report_per_member_per_resource(member_client, member, resource):
    member_client.post(report_url(resource), {"kind": "outdated"})
    response = member_client.post(report_url(resource), {"kind": "wrong"}, headers=HTMX)
    assertContains(response, "already reported")
    assert ProblemReport.objects.count() == 1


def test_reports_are_rate_limited_per_member(member_client, member, other_member, make_resource):
    resources = [make_resource() for _ in range(ProblemReport.MAX_PER_HOUR + 1)]
    for resource in resources[:-1]:
        assert member_client.post(report_url(resource), {"kind": "outdated"}).status_code == 302
    response = member_client.post(report_url(resources[-1]), {"kind": "outdated"})
    assertContains(response, "several reports in the last hour")
    assert ProblemReport.objects.count() == ProblemReport.MAX_PER_HOUR
    # Another member is not affected.
    member_client.force_login(other_member)
    assert member_client.post(report_url(resources[-1]), {"kind": "outdated"}).status_code == 302


def test_rate_limit_window_is_one_hour(member_client, member, make_resource):
    import datetime

    import time_machine
    from django.utils import timezone

    resources = [make_resource() for _ in range(ProblemReport.MAX_PER_HOUR + 1)]
    for resource in resources[:-1]:
        ProblemReport.objects.create(user=member, resource=resource, kind="outdated")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        response = member_client.post(report_url(resources[-1]), {"kind": "outdated"})
    assert response.status_code == 302


def test_report_unpublished_resource_is_404(member_client, make_resource):
    assert member_client.get(report_url(make_resource(published=False))).status_code == 404


def test_detail_for_a_member_shows_save_state_with_constant_queries(
    member_client, member, resource, django_assert_num_queries
):
    SavedResource.objects.create(user=member, resource=resource)
    # Not cached yet: session, user, resource (with is_saved), its tags, its milestones.
    # Served from the cache: session, user, is_saved (tests/resources/test_detail_cache.py).
    with django_assert_num_queries(5):
        response = member_client.get(detail_url(resource))
    assertContains(response, 'aria-pressed="true"')
    assertContains(response, reverse("resources:report", args=[resource.slug]))


def test_personal_resource_pages_are_not_cached(member_client, resource):
    for url in [reverse("resources:saved"), reverse("resources:report", args=[resource.slug])]:
        assert "no-store" in member_client.get(url)["Cache-Control"]


def location_options(client) -> list[str]:
    """The places the location select offers, as rendered (the fields' HTML is cached)."""
    html = client.get(DIRECTORY).content.decode()
    select = html[
        html.index('<select name="location"') : html.index(
            "</select>", html.index('<select name="location"')
        )
    ]
    return re.findall(r'<option value="([^"]+)"', select)


def test_location_choices_follow_every_change_of_the_resources(
    client, curator_client, make_resource
):
    """Cached, and dropped by a save, a delete and the admin's bulk actions."""
    kept = make_resource(title="Kept", location="Texas")
    assert location_options(client) == ["Texas"]
    moved = make_resource(title="Moved", location="Ohio")
    assert location_options(client) == ["Ohio", "Texas"]
    moved.location = "Iowa"
    moved.save()
    assert location_options(client) == ["Iowa", "Texas"]
    moved.delete()
    assert location_options(client) == ["Texas"]
    changelist = reverse("admin:resources_resource_changelist")
    for action, expected in [("unpublish", []), ("publish", ["Texas"])]:  # bulk: no signals
        curator_client.post(changelist, {"action": action, "_selected_action": [kept.pk]})
        assert location_options(client) == expected


def test_directory_results_follow_every_change_of_the_resources(
    client, curator_client, make_resource, tag
):
    """The results are cached under the resources' token: every way of changing what a card
    shows replaces it, so the next search shows the change (signals, and the admin's bulk
    actions, which send none)."""

    def results(q: str = "visa") -> str:
        return client.get(DIRECTORY, {"q": q}, headers=HTMX).content.decode()

    resource = make_resource(title="Visa guide", summary="About visas", needs_review=True)
    assert "Visa guide" in results() and "Being re-checked" in results()
    resource.title = "Visa handbook"
    resource.save()
    assert "Visa handbook" in results() and "Visa guide" not in results()
    resource.tags.add(tag)
    assert "#visa<" in results()
    tag.name = "visas"
    tag.save()
    assert "#visas<" in results()
    resource.tags.clear()
    assert "#visas<" not in results()
    changelist = reverse("admin:resources_resource_changelist")
    curator_client.post(
        changelist, {"action": "mark_reviewed_today", "_selected_action": [resource.pk]}
    )
    assert "Visa handbook" in results() and "Being re-checked" not in results()
    curator_client.post(changelist, {"action": "unpublish", "_selected_action": [resource.pk]})
    assert "Visa handbook" not in results()
    curator_client.post(changelist, {"action": "publish", "_selected_action": [resource.pk]})
    assert "Visa handbook" in results()
    resource.delete()
    assert "No resources match" in results()


def test_cached_results_never_carry_another_members_saved_state(
    client, member_client, member, other_member, resource
):
    SavedResource.objects.create(user=member, resource=resource)
    assertContains(member_client.get(DIRECTORY), 'aria-pressed="true"')  # now cached
    client.force_login(other_member)
    response = client.get(DIRECTORY)
    assertContains(response, 'aria-pressed="false"')
    assertNotContains(response, 'aria-pressed="true"')
    client.logout()
    response = client.get(DIRECTORY)
    assertContains(response, "Log in to save")
    assertNotContains(response, "aria-pressed")


@pytest.mark.parametrize(
    "params",
    [{}, {"category": "visa", "cost": "paid", "location": "United States", "tag": "visa"},
     {"category": "nope", "location": "Mars"}],
)  # fmt: skip
def test_filter_selects_are_written_as_django_writes_them(resource, tag, params):
    """PlainSelect (options written in Python) gives the markup of forms.Select."""
    import re

    from django import forms

    from resources.forms import ResourceFilterForm

    def html(field) -> str:
        # Whitespace between tags and the order of the select's attributes do not count.
        text = re.sub(r">\s+<", "><", str(field.as_field_group())).strip()
        return re.sub(
            r"<select [^>]*>", lambda m: str(sorted(re.findall(r'\S+?="[^"]*"', m[0]))), text
        )

    form = ResourceFilterForm(params)
    form.is_valid()
    for name in ("category", "cost", "location", "tag"):
        ours = html(form[name])
        form.fields[name].widget = forms.Select(choices=form.fields[name].choices)
        assert ours == html(form[name])


def test_a_broad_search_ranks_a_bounded_number_and_says_so(
    client, fill, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("resources.views.RANK_AT_MOST", 3)
    fill(3)
    response = client.get(DIRECTORY, {"q": "visa"}, headers=HTMX)
    assertContains(response, "<strong>3</strong> resources match your search")  # all ranked
    fill(2)
    # count up to the bound + 1, the page ranked among the first 3 found, their tags
    with django_assert_num_queries(3):
        response = client.get(DIRECTORY, {"q": "visa"}, headers=HTMX)
    assertContains(response, "<strong>More than 3</strong> resources match your search")
    assertContains(response, "Showing the best of the first 3 found")
    assert response.content.decode().count('class="card resource-card"') == 3
    assertNotContains(response, "Page 1 of")


def test_the_cached_filter_fields_show_each_query_escaped(client, resource):
    for q in ["visa", "<b>visa</b>", "visa"]:
        response = client.get(DIRECTORY, {"q": q, "cost": "paid"})
        assertContains(response, 'value="paid" selected')
        assertContains(response, f'name="q" value="{escape(q)}"')
        assertNotContains(response, "<b>visa</b>")
