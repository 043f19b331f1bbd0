import datetime
import hashlib
import html
import re

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from mentors.models import MentorLink
from mentors.views import NEW_LINK_KEY
from tests.factories import make_application, make_program
from tests.mentors.conftest import make_link

pytestmark = pytest.mark.django_db


def shared_url(token: str) -> str:
    return f"/mentor/{token}/"


# --- The member's pages ------------------------------------------------------


@pytest.mark.parametrize("url", ["/me/mentor-links/", "/me/mentor-links/new/"])
def test_member_pages_need_login_and_are_not_cached(client, member, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_settings_page_links_to_mentor_links(member_client):
    assert b'href="/me/mentor-links/"' in member_client.get("/me/settings/").content


def test_create_stores_only_a_hash_and_shows_the_url_once(member_client, member):
    expires = timezone.localdate() + datetime.timedelta(days=60)
    response = member_client.post(
        "/me/mentor-links/new/",
        {"label": "  Dr   Rao ", "expires_on": expires.isoformat(), "include_notes": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/me/mentor-links/"
    link = MentorLink.objects.get(user=member)
    assert (link.label, link.expires_on, link.include_notes) == ("Dr Rao", expires, True)

    page = member_client.get("/me/mentor-links/").content.decode()
    url = page.split('id="new-link-url" class="link-url" type="text" readonly value="')[1]
    url = url.split('"')[0]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url == f"http://testserver/mentor/{token}/"
    assert len(token) >= 43  # token_urlsafe(32): 256 bits
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(MentorLink.objects.filter(pk=link.pk).values().get())
    assert "only time the full link is shown" in page
    assert NEW_LINK_KEY not in member_client.session
    assert token not in member_client.get("/me/mentor-links/").content.decode()  # once
    assert Client().get(url.removeprefix("http://testserver")).status_code == 200


def test_defaults_notes_off_and_expiry_in_30_days(member_client):
    form = member_client.get("/me/mentor-links/new/").context["form"]
    assert form["expires_on"].value() == timezone.localdate() + datetime.timedelta(days=30)
    assert form["include_notes"].value() is False
    member_client.post(
        "/me/mentor-links/new/",
        {"label": "Adviser", "expires_on": form["expires_on"].value().isoformat()},
    )
    assert MentorLink.objects.get().include_notes is False


@pytest.mark.parametrize(
    "expires_on, error",
    [
        ("", "This field is required."),
        ("2025-02-30", "Enter a valid date."),
        ("past", "Choose today or a later day."),
        ("far", "at most 365 days"),
    ],
)
def test_bad_expiry_is_a_form_error_and_saves_nothing(member_client, expires_on, error):
    today = timezone.localdate()
    value = {
        "past": (today - datetime.timedelta(days=1)).isoformat(),
        "far": (today + datetime.timedelta(days=366)).isoformat(),
    }.get(expires_on, expires_on)
    response = member_client.post("/me/mentor-links/new/", {"label": "X", "expires_on": value})
    assert response.status_code == 200
    assert error in str(response.context["form"].errors["expires_on"])
    assert not MentorLink.objects.exists()


def test_a_year_is_accepted(member_client):
    expires = timezone.localdate() + datetime.timedelta(days=365)
    member_client.post("/me/mentor-links/new/", {"label": "X", "expires_on": expires})
    assert MentorLink.objects.get().expires_on == expires


def test_double_submit_makes_one_link(member_client):
    data = {"label": "Dr Rao", "expires_on": timezone.localdate().isoformat()}
    assert member_client.post("/me/mentor-links/new/", data).status_code == 302
    response = member_client.post("/me/mentor-links/new/", data)
    assert response.status_code == 200
    assert "already have a link with this name" in str(response.context["form"].errors)
    assert MentorLink.objects.count() == 1


def test_extra_user_field_is_ignored(member_client, member, other_member):
    data = {"label": "X", "expires_on": timezone.localdate().isoformat(), "user": other_member.pk}
    member_client.post("/me/mentor-links/new/", data)
    assert MentorLink.objects.get().user == member


def test_list_shows_status_and_last_opened(member_client, member):
    active, _ = make_link(member, label="Active one")
    expired, _ = make_link(member, label="Old one", days=-1)
    revoked, _ = make_link(member, label="Gone one", revoked_at=timezone.now())
    opened = timezone.now()
    MentorLink.objects.filter(pk=active.pk).update(last_opened_at=opened)
    response = member_client.get("/me/mentor-links/")
    statuses = {link.label: link.current_status for link in response.context["links"]}
    assert statuses == {"Active one": "active", "Old one": "expired", "Gone one": "revoked"}
    page = response.content.decode()
    assert page.count("never") == 2
    # A valid HTML datetime: seconds, no microseconds.
    assert f'datetime="{dateformat.format(timezone.localtime(opened), "Y-m-d\\TH:i:sO")}"' in page
    assert page.count(">Revoke</button>") == 2  # revoked links have no button


def test_list_shows_only_own_links(member_client, other_member):
    make_link(other_member, label="Bob's adviser")
    assert "Bob&#x27;s adviser" not in member_client.get("/me/mentor-links/").content.decode()


def test_list_query_count_is_constant(member_client, member, django_assert_num_queries):
    member_client.get("/me/mentor-links/")  # warm the session
    for count in (1, 5):
        for n in range(count):
            make_link(member, label=f"L{count}-{n}")
        # session, user, links
        with django_assert_num_queries(3):
            member_client.get("/me/mentor-links/")


def test_revoke(member_client, mentor_link):
    link, token = mentor_link
    assert member_client.get(shared_url(token)).status_code == 200
    response = member_client.post(f"/me/mentor-links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(shared_url(token)).status_code == 404
    first = link.revoked_at
    member_client.post(f"/me/mentor-links/{link.pk}/revoke/")  # twice: unchanged
    link.refresh_from_db()
    assert link.revoked_at == first


def test_revoke_is_post_only_and_needs_csrf(client, member, mentor_link):
    link, _ = mentor_link
    client.force_login(member)
    assert client.get(f"/me/mentor-links/{link.pk}/revoke/").status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    assert csrf_client.post(f"/me/mentor-links/{link.pk}/revoke/").status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize("pk", ["other", "0", "999999"])
def test_revoking_another_members_link_is_404(member_client, other_member, pk):
    link, token = make_link(other_member)
    target = link.pk if pk == "other" else pk
    assert member_client.post(f"/me/mentor-links/{target}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    assert Client().get(shared_url(token)).status_code == 200


def test_revoke_anonymous_goes_to_login(client, mentor_link):
    link, _ = mentor_link
    response = client.post(f"/me/mentor-links/{link.pk}/revoke/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_links_are_deleted_with_the_account(member, mentor_link):
    member.delete()
    assert not MentorLink.objects.exists()


# --- The token page ------------------------------------------------------------


def test_shared_page_is_read_only_and_private(client, curated, member, record):
    member.first_name = "Alice"
    member.save()
    record(member, "step-2-ck", status="in_progress", score=230, notes="Secret plan <b>x</b>")
    link, token = make_link(member)
    response = client.get(shared_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Roadmap of Alice" in page
    assert f"Read-only, shared by them until {link.expires_on:%-d %B %Y}" in page
    assert "Secret plan" not in page  # notes hidden by default
    assert "230" in page and "In progress" in page
    assert "<form" not in page.split("<main")[1]  # nothing to submit
    assert "/progress/" not in page  # no edit links
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    link.refresh_from_db()
    assert link.last_opened_at is not None


def test_notes_shown_only_when_included(client, curated, member, record):
    record(member, "step-2-ck", status="in_progress", notes="Retake <script>x</script> in May")
    _, token = make_link(member, include_notes=True)
    page = client.get(shared_url(token)).content.decode()
    assert "Retake &lt;script&gt;x&lt;/script&gt; in May" in page


def test_owner_without_first_name_is_a_member(client, curated, mentor_link):
    _, token = mentor_link
    assert "Roadmap of a member" in client.get(shared_url(token)).content.decode()


def test_roadmap_not_set_up_yet(client, new_member):
    _, token = make_link(new_member)
    response = client.get(shared_url(token))
    assert response.status_code == 200
    assert "not set up yet" in response.content.decode()


def test_shared_page_shows_proposed_dates_and_alerts(client, curated, member, record):
    record(member, "step-1", status="done", outcome="failed", attempts=3)
    _, token = make_link(member)
    response = client.get(shared_url(token))
    roadmap = response.context["roadmap"]
    assert roadmap.alerts, "three failed attempts raise an alert"
    page = html.unescape(response.content.decode())
    for alert in roadmap.alerts:
        assert alert.title in page
    # Every 2027 date is proposed (no official calendar yet): the page says so.
    assert roadmap.next_deadlines and all(d.proposed for d in roadmap.next_deadlines)
    assert "proposed, not yet confirmed" in page
    # The alerts speak to the member; the mentor is told so, not addressed as "you".
    assert "“you” and “your” in them mean the member" in page


@pytest.mark.parametrize("case", ["wrong", "expired", "revoked", "short", "hash", "deactivated"])
def test_unusable_tokens_are_the_same_404(client, member, case):
    if case == "deactivated":  # the member's account was switched off (as the feed does)
        link, token = make_link(member)
        member.is_active = False
        member.save(update_fields=["is_active"])
    elif case == "expired":
        link, token = make_link(member, days=-1)
    elif case == "revoked":
        link, token = make_link(member, revoked_at=timezone.now())
    else:
        link, good = make_link(member)
        token = {"wrong": good[:-1] + ("A" if good[-1] != "A" else "B"), "short": "x"}.get(
            case, link.token_hash
        )  # the stored hash is not a token either
    response = client.get(shared_url(token))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    link.refresh_from_db()
    assert link.last_opened_at is None


def test_expiry_day_itself_still_opens(client, curated, member):
    _, token = make_link(member, days=0)
    assert client.get(shared_url(token)).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_token_accepts_no_write(client, mentor_link, method):
    link, token = mentor_link
    response = getattr(client, method)(shared_url(token))
    assert response.status_code == 405
    link.refresh_from_db()
    assert link.last_opened_at is None


def test_head_writes_nothing(client, curated, mentor_link):
    link, token = mentor_link
    assert client.head(shared_url(token)).status_code == 200
    link.refresh_from_db()
    assert link.last_opened_at is None


def test_shared_page_query_count(client, curated, member, record, django_assert_num_queries):
    record(member, "step-2-ck", status="in_progress")
    _, token = make_link(member)
    client.get(shared_url(token))  # warm the curated-content cache
    # link + owner, the last-opened UPDATE, profile with progress rows, applications
    with django_assert_num_queries(4):
        assert client.get(shared_url(token)).status_code == 200
    for _ in range(3):
        interview_for(make_application(member, notes="mine"))
    # ... and their interviews, whatever the number of applications
    with django_assert_num_queries(5):
        assert client.get(shared_url(token)).status_code == 200


def interview_for(application):
    from applications.models import Interview

    return Interview.objects.create(
        user=application.user,
        application=application,
        date=datetime.date(2026, 12, 10),
        start_time=datetime.time(9),
        time_zone="America/New_York",
    )


def test_the_season_is_shown_read_only_and_notes_only_when_included(
    client, curated, member, other_member
):
    ranked = make_application(
        member, make_program(member, name="Harbor Hospital"), rank=1, notes="PD liked my research"
    )
    interview_for(ranked)
    make_application(member, make_program(member, name="Old Cycle Hospital"), cycle=2026)
    make_application(other_member, make_program(other_member, name="Bob's Hospital"))
    _, token = make_link(member)
    page = client.get(shared_url(token)).content.decode()
    assert "Applications for Match 2027" in page
    assert "Harbor Hospital" in page and "10 Dec 2026" in page
    assert "Old Cycle Hospital" not in page and "Bob's Hospital" not in page
    assert "PD liked my research" not in page
    assert "<form" not in page.split('id="applications"')[1]  # read-only
    _, with_notes = make_link(member, label="With notes", include_notes=True)
    assert "PD liked my research" in client.get(shared_url(with_notes)).content.decode()


def test_the_404_says_nothing_about_why(client, member):
    _, expired = make_link(member, label="a", days=-1)
    _, revoked = make_link(member, label="b", revoked_at=timezone.now())
    # The same page, per-response values aside (CSP nonce, CSRF token).
    bodies = {
        re.sub(
            r'(nonce="|X-CSRFToken": ")[^"]*', "", client.get(shared_url(token)).content.decode()
        )
        for token in [expired, revoked, "no-such-token-at-all-0123456789abcdefghijklm"]
    }
    assert len(bodies) == 1
