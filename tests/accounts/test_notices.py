"""Dashboard notices: the member's own, newest first and bounded, dismissed by a POST (htmx
or the confirm page without JavaScript); another member's is a 404."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Notice

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("pathways:dashboard")
HTMX = {"HX-Request": "true"}


def notice(user, n: int = 1, **fields) -> Notice:
    defaults = {
        "key": f"catalogue-change:{n}",
        "message": f"Example IM {n}: H-1B sponsorship changed from no to yes.",
        "url": "/applications/",
        "source_url": "https://example.org/program/visas",
    }
    return Notice.objects.create(user=user, **{**defaults, **fields})


def dismiss_url(item: Notice) -> str:
    return reverse("accounts:dismiss_notice", args=[item.pk])


def test_the_dashboard_shows_the_members_open_notices_newest_first(
    member_client, member, other_member, curated
):
    items = [notice(member, n) for n in range(12)]
    Notice.objects.filter(pk=items[0].pk).update(dismissed_at=datetime.datetime.now(datetime.UTC))
    notice(other_member, 99, message="Bob's own notice.")
    page = member_client.get(DASHBOARD).content.decode()
    section = page[
        page.index('id="notices"') : page.index("</section>", page.index('id="notices"'))
    ]
    shown = [n for n in range(12) if f"Example IM {n}:" in section]
    assert shown == list(range(2, 12))  # the 10 newest open ones (0 is dismissed)
    assert section.index("Example IM 11:") < section.index("Example IM 2:")
    assert "Bob's own notice." not in page
    assert 'href="https://example.org/program/visas"' in section
    assert f'data-hx-post="{dismiss_url(items[5])}"' in section
    assert "csrfmiddlewaretoken" not in section  # the cached content holds no token


def test_no_notice_no_section(member_client, curated):
    page = member_client.get(DASHBOARD).content.decode()
    assert '<div id="notices"></div>' in page and "Notices</h2>" not in page


def test_dismissing_with_htmx_returns_the_section(member_client, member, curated):
    first, second = notice(member, 1), notice(member, 2)
    response = member_client.post(dismiss_url(first), headers=HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="notices"')
    assert "Example IM 2:" in fragment and "Example IM 1:" not in fragment
    first.refresh_from_db()
    assert first.dismissed_at is not None
    last = member_client.post(dismiss_url(second), headers=HTMX).content.decode()
    assert 'role="status"' in last and "Notice dismissed." in last


def test_without_javascript_a_confirm_page_then_a_post(member_client, member, curated):
    item = notice(member)
    page = member_client.get(dismiss_url(item))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    item.refresh_from_db()
    assert item.dismissed_at is None  # a GET writes nothing
    response = member_client.post(dismiss_url(item))
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    item.refresh_from_db()
    first = item.dismissed_at
    assert first is not None
    member_client.post(dismiss_url(item))  # a double click
    item.refresh_from_db()
    assert item.dismissed_at == first


def test_another_members_notice_is_a_404(member_client, other_member):
    item = notice(other_member)
    assert member_client.get(dismiss_url(item)).status_code == 404
    assert member_client.post(dismiss_url(item), headers=HTMX).status_code == 404
    item.refresh_from_db()
    assert item.dismissed_at is None


def test_a_visitor_is_sent_to_log_in(client, member):
    response = client.post(dismiss_url(notice(member)))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_notice_exists_once_per_member_and_key(member, other_member):
    from django.db import IntegrityError, transaction

    notice(member, 1)
    notice(other_member, 1)  # the same key, another member
    with pytest.raises(IntegrityError), transaction.atomic():
        notice(member, 1)


def test_dashboard_with_notices_costs_one_more_query_on_a_miss_only(
    member_client, member, curated, django_assert_num_queries
):
    for n in range(3):
        notice(member, n)
    from django.core.cache import caches

    member_client.get(DASHBOARD)  # warm the curated content
    caches["situation"].clear()
    # session, user, profile with the data version (and the notices' count and times),
    # progress, recent date changes, the notices (the next steps' resources come with the
    # curated content)
    with django_assert_num_queries(6):
        assert member_client.get(DASHBOARD).status_code == 200
    with django_assert_num_queries(3):  # a hit: session, user, profile with the data version
        assert member_client.get(DASHBOARD).status_code == 200


def test_notices_go_with_the_account(member, other_member):
    import io
    import zipfile

    from accounts.export import build_zip

    notice(member, 1, message="Mine to export.")
    notice(other_member, 1, message="Not mine.")
    archive = zipfile.ZipFile(io.BytesIO(build_zip(member, datetime.date(2026, 12, 5))))
    exported = archive.read("accounts_notice.csv").decode()
    assert "Mine to export." in exported and "Not mine." not in exported
    member.delete()
    assert list(Notice.objects.values_list("message", flat=True)) == ["Not mine."]
