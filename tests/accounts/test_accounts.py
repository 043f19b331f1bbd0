import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.forms import earliest_match_year, third_friday_of_march
from accounts.models import Profile, User

pytestmark = pytest.mark.django_db

VALID_PROFILE = {
    "school_country": "Nigeria",
    "school_name": "University of Lagos College of Medicine",
    "graduation_year": "2023",
    "specialty": "Pediatrics",
    "match_year": "2028",
    "visa": "j1",
}


def test_signup_sends_verification_email_and_blocks_login_until_verified(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Priya@Example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "priya@example.com"  # stored lower-case
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # Not verified yet: logging in sends the user to "verify your email".
    response = client.post(
        reverse("account_login"),
        {"login": "priya@example.com", "password": "a-long-enough-passphrase"},
    )
    assert "_auth_user_id" not in client.session
    # Following the link and confirming verifies the address and logs in.
    path = link.group(0).split("testserver", 1)[1]
    response = client.post(path)
    assert EmailAddress.objects.get(user=user).verified
    assert response.status_code == 302
    assert response.url == reverse("accounts:onboarding")


def test_email_is_case_insensitive_for_login(client, member, password):
    response = client.post(
        reverse("account_login"), {"login": "ALICE@Example.COM", "password": password}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_duplicate_email_in_other_case_is_refused_by_the_database(member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ALICE@example.com")


def test_first_login_goes_to_onboarding_then_dashboard(client, new_member, password):
    response = client.post(
        reverse("account_login"), {"login": new_member.email, "password": password}
    )
    assert response.url == reverse("accounts:onboarding")
    # The dashboard also insists on onboarding first.
    assert client.get(reverse("pathways:dashboard")).url == reverse("accounts:onboarding")
    response = client.post(reverse("accounts:onboarding"), VALID_PROFILE)
    assert response.status_code == 302
    assert response.url == reverse("pathways:exams_so_far")  # then the exams already passed
    profile = Profile.objects.get(user=new_member)
    assert profile.is_onboarded
    assert profile.match_year == 2028
    assert profile.visa == "j1"
    assert profile.has_step2cs is False


def test_onboarded_member_logs_in_to_dashboard(client, member, password):
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert response.url == reverse("pathways:dashboard")


@time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("graduation_year", "2033", "no later than 2032"),
        ("graduation_year", "1901", "from 1960 onwards"),
        ("graduation_year", "abc", "Enter a whole number"),
        ("match_year", "2026", "The 2026 Match is already over. Choose 2027 or later."),
        ("match_year", "2040", "no later than 2037"),
        ("match_year", "2024.5", "Enter a whole number"),
        ("visa", "H1B'--", "Select a valid choice"),
        ("school_country", "", "This field is required"),
    ],
)
def test_onboarding_validation_shows_error_next_to_field_and_saves_nothing(
    client, new_member, field, value, message
):
    client.force_login(new_member)
    response = client.post(reverse("accounts:onboarding"), {**VALID_PROFILE, field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    profile = Profile.objects.get(user=new_member)
    assert profile.onboarded_at is None
    assert profile.school_country == "India"  # the fixture's value, untouched


def test_match_year_before_graduation_is_refused(client, new_member):
    client.force_login(new_member)
    data = {**VALID_PROFILE, "graduation_year": "2030", "match_year": "2029"}
    response = client.post(reverse("accounts:onboarding"), data)
    assert "cannot be before your graduation year" in " ".join(
        response.context["form"].errors["match_year"]
    )


def test_match_day_rule():
    assert third_friday_of_march(2026) == datetime.date(2026, 3, 20)
    assert third_friday_of_march(2025) == datetime.date(2025, 3, 21)
    assert third_friday_of_march(2024) == datetime.date(2024, 3, 15)
    assert third_friday_of_march(2023) == datetime.date(2023, 3, 17)
    assert earliest_match_year(datetime.date(2026, 3, 20)) == 2026
    assert earliest_match_year(datetime.date(2026, 3, 21)) == 2027


def test_extra_post_fields_are_ignored(client, member, other_member):
    client.force_login(member)
    client.post(reverse("accounts:settings"), {**VALID_PROFILE, "user": other_member.pk})
    assert Profile.objects.get(user=member).school_country == "Nigeria"
    assert Profile.objects.get(user=other_member).school_country == "India"


def test_settings_update_keeps_onboarding_and_redirects(member_client, member):
    cs = {"has_step2cs": "on", "step2cs_month": "5", "step2cs_year": "2019"}
    response = member_client.post(
        reverse("accounts:settings"), {**VALID_PROFILE, "visa": "h1b", **cs}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.visa == "h1b"
    assert profile.has_step2cs is True
    assert profile.step2cs_passed_on == datetime.date(2019, 5, 1)
    assert profile.is_onboarded
    page = member_client.get(reverse("accounts:settings")).content.decode()
    assert '<option value="5" selected>May</option>' in page and 'value="2019"' in page


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({}, "step2cs_month", "Choose the month you passed Step 2 CS."),
        ({"step2cs_month": "5"}, "step2cs_year", "Enter the year you passed Step 2 CS."),
        (
            {"step2cs_month": "4", "step2cs_year": "2020"},
            "step2cs_year",
            "Step 2 CS was suspended in March 2020",
        ),
        ({"step2cs_month": "13", "step2cs_year": "2019"}, "step2cs_month", "Select a valid"),
    ],
)
def test_a_step2cs_pass_needs_a_real_month(member_client, member, extra, field, message):
    data = {**VALID_PROFILE, "has_step2cs": "on", **extra}
    response = member_client.post(reverse("accounts:settings"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Profile.objects.get(user=member).has_step2cs is False


def test_the_last_step2cs_month_is_march_2020(member_client, member):
    data = {**VALID_PROFILE, "has_step2cs": "on", "step2cs_month": "3", "step2cs_year": "2020"}
    assert member_client.post(reverse("accounts:settings"), data).status_code == 302
    assert Profile.objects.get(user=member).step2cs_passed_on == datetime.date(2020, 3, 1)
    data = {**VALID_PROFILE}  # unticked: the month is forgotten with the pass
    assert member_client.post(reverse("accounts:settings"), data).status_code == 302
    assert Profile.objects.get(user=member).step2cs_passed_on is None


@pytest.mark.parametrize("name", ["accounts:onboarding", "accounts:settings", "accounts:delete"])
def test_member_pages_need_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_member_pages_are_not_cached(member_client):
    response = member_client.get(reverse("accounts:settings"))
    assert "no-store" in response["Cache-Control"]


def test_delete_account_needs_the_password(member_client, member):
    response = member_client.post(
        reverse("accounts:delete"), {"password": "wrong-password", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_account_removes_every_personal_row_and_logs_out(
    member_client, member, other_member, password
):
    from django.apps import apps
    from django.contrib.sessions.models import Session

    user_id = member.pk
    response = member_client.post(
        reverse("accounts:delete"), {"password": password, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=user_id).exists()
    # Every model with a foreign key to the user has no row of theirs left.
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is User and field.concrete:
                leftover = model.objects.filter(**{field.name: user_id})
                assert not leftover.exists(), f"{model.__name__}.{field.name} still has rows"
    assert EmailAddress.objects.filter(email=member.email).count() == 0
    assert "_auth_user_id" not in member_client.session
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(user_id)
    # The other member is untouched.
    assert User.objects.filter(pk=other_member.pk).exists()
    assert Profile.objects.filter(user=other_member).exists()


def test_delete_account_get_only_shows_the_form(member_client, member):
    assert member_client.get(reverse("accounts:delete")).status_code == 200
    assert User.objects.filter(pk=member.pk).exists()


def test_password_reset_sends_a_link_for_known_and_says_the_same_for_unknown(client, member):
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert any("/accounts/password/reset/key/" in m.body for m in mail.outbox)
    assert [m.to for m in mail.outbox if "/password/reset/key/" in m.body] == [[member.email]]


def test_password_change_requires_the_old_password(member_client, member, password):
    url = reverse("account_change_password")
    response = member_client.post(
        url,
        {
            "oldpassword": "wrong",
            "password1": "n3w-passphrase-ok",
            "password2": "n3w-passphrase-ok",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(password)
    response = member_client.post(
        url,
        {
            "oldpassword": password,
            "password1": "n3w-passphrase-ok",
            "password2": "n3w-passphrase-ok",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("n3w-passphrase-ok")


def test_changing_email_asks_for_the_password_again(client, member, password):
    client.post(reverse("account_login"), {"login": member.email, "password": password})
    # Pretend the log-in happened long ago: allauth asks to re-authenticate first.
    session = client.session
    session.pop("account_authentication_records", None)
    session.save()
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "alice.new@example.com"}
    )
    assert response.status_code == 302
    assert "reauthenticate" in response.url
    assert not EmailAddress.objects.filter(email="alice.new@example.com").exists()


def test_short_and_common_passwords_are_refused(client):
    for weak in ["short1", "password123"]:
        response = client.post(
            reverse("account_signup"),
            {"email": "weak@example.com", "password1": weak, "password2": weak},
        )
        assert response.status_code == 200
        assert not User.objects.filter(email="weak@example.com").exists()


def test_failed_logins_are_rate_limited_per_account(client, member, password):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": "wrong-password"}
        )
        assert response.status_code == 200
    # The sixth attempt is refused even with the right password, for the lock-out window.
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("name", ["accounts:onboarding", "accounts:settings", "accounts:delete"])
def test_member_pages_refuse_other_methods(member_client, name):
    assert member_client.put(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil.example"]
)
def test_login_ignores_offsite_next(client, member, password, target):
    response = client.post(
        reverse("account_login") + "?next=" + target,
        {"login": member.email, "password": password, "next": target},
    )
    assert response.status_code == 302
    assert response.url == reverse("pathways:dashboard")


def test_delete_account_password_guesses_are_limited_like_log_in(member_client, member, password):
    for _ in range(5):
        response = member_client.post(
            reverse("accounts:delete"), {"password": "wrong-guess", "confirm": "on"}
        )
        assert "That is not your password." in response.content.decode()
    # Locked out: even the right password is refused for now, as at log-in.
    response = member_client.post(
        reverse("accounts:delete"), {"password": password, "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Too many failed" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    # The counter is the log-in's: the account is locked there too.
    member_client.logout()
    member_client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert "_auth_user_id" not in member_client.session


def test_delete_account_ends_other_sessions_and_scrubs_the_admin_log(
    client, member, curator, password
):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client

    LogEntry.objects.log_actions(
        user_id=curator.pk, queryset=[member], action_flag=CHANGE, change_message="Edited"
    )
    LogEntry.objects.create(
        user=curator,
        content_type=ContentType.objects.get_for_model(Profile),
        object_id=str(member.profile.pk),
        object_repr=str(member.profile),
        action_flag=CHANGE,
    )
    laptop, phone = Client(), Client()
    laptop.force_login(member)
    phone.force_login(member)
    assert phone.get(reverse("accounts:settings")).status_code == 200

    member_id = str(member.pk)
    response = laptop.post(reverse("accounts:delete"), {"password": password, "confirm": "on"})
    assert response.status_code == 302
    # The phone's session row is gone too, not only the one that asked.
    from django.contrib.sessions.models import Session

    assert [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == member_id
    ] == []
    assert phone.get(reverse("accounts:settings")).status_code == 302
    assert phone.cookies["sessionid"].value not in set(Session.objects.values_list("pk", flat=True))
    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs and not [r for r in reprs if member.email in r]


def test_verification_email_greets_from_the_portal_not_from_the_host(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "farah@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    body = mail.outbox[0].body
    assert "Hello from IMG Portal!" in body
    assert "Hello from testserver" not in body
    assert "Thank you for using IMG Portal!" in body


# --- The member's own time zone (issue 21 item 4) ----------------------------------------


@pytest.mark.parametrize(
    ("typed", "saved"),
    [("Africa/Cairo", "Africa/Cairo"), ("asia/KOLKATA", "Asia/Kolkata"), ("", ""), ("UTC", "UTC")],
)
def test_settings_take_a_canonical_time_zone_in_any_case(member_client, member, typed, saved):
    response = member_client.post(
        reverse("accounts:settings"), {**VALID_PROFILE, "time_zone": typed}
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=member).time_zone == saved


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("EST", ""),
        ("US/Eastern", "Did you mean America/New_York?"),
        ("Asia/Calcutta", "Did you mean Asia/Kolkata?"),
        ("Mars/Olympus", ""),
    ],
)
def test_settings_refuse_abbreviations_and_old_zone_names(member_client, member, typed, hint):
    response = member_client.post(
        reverse("accounts:settings"), {**VALID_PROFILE, "time_zone": typed}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a time zone we know by that name" in html
    assert hint in html
    assert not Profile.objects.filter(user=member, time_zone=typed).exists()


def test_the_settings_page_suggests_the_browsers_zone_from_a_static_file(member_client):
    html = member_client.get(reverse("accounts:settings")).content.decode()
    assert "data-suggest-time-zone" in html
    assert re.search(r'<script src="/static/js/time-zone[.\w]*\.js" defer>', html)
    onboarding = member_client.get(reverse("accounts:onboarding")).content.decode()
    assert 'name="time_zone"' not in onboarding  # the questions' count stays as announced


def test_member_today_follows_the_members_zone(member):
    from lib.dates import member_today

    at = datetime.datetime(2026, 12, 5, 4, 10, tzinfo=datetime.UTC)  # 23:10 on 4 Dec in New York
    profile = member.profile
    assert member_today(member, at) == datetime.date(2026, 12, 4)  # no zone: the site's (ET)
    profile.time_zone = "Africa/Cairo"
    assert member_today(profile, at) == datetime.date(2026, 12, 5)
    profile.time_zone = "Pacific/Honolulu"
    assert member_today(member, at) == datetime.date(2026, 12, 4)
    assert member_today(None, at) == datetime.date(2026, 12, 4)


def test_the_delete_page_names_the_application_season_among_what_goes(member_client):
    html = member_client.get(reverse("accounts:delete")).content.decode()
    for kind in ("programs", "applications", "interviews", "letters", "rank list", "costs"):
        assert kind in html, kind
    for kind in ("calendar feed", "mentor links", "reminder"):
        assert kind in html, kind


def test_the_home_page_counts_its_questions_as_the_onboarding_does(member_client):
    from django.test import Client

    from accounts.forms import PreviewForm, ProfileForm

    home = Client().get("/").content.decode()
    assert len(PreviewForm.Meta.fields) == 5 and "Five questions for a first look" in home
    # The onboarding asks eight: the preview's five "and three more, one of them optional".
    assert len(ProfileForm.Meta.fields) == 8 and "these and three more" in home
    onboarding = member_client.get(reverse("accounts:onboarding")).content.decode()
    assert "Eight questions (your citizenship is optional)" in onboarding
