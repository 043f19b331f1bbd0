"""The pre-hijack through a pending address change, tried in real browsers (issue 20, item 1).

Mallory asks to change her address to the victim's. The victim then signs up with it,
resets the password, and follows the confirmation link Mallory's request mailed them.
Every step must land on the victim's own account; Mallory's account keeps her address,
and her mentor link and calendar feed keep working for her (nothing changed hands).
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from mentors.models import MentorLink, hash_token, new_token
from reminders.models import CalendarFeed
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VICTIM = "victim@example.com"


@pytest.fixture
def two_people(browser):
    mallory, victim = browser.new_context(), browser.new_context()
    yield mallory.new_page(), victim.new_page()
    mallory.close()  # open keep-alive connections must not outlive the test
    victim.close()


def link_in(message, part: str) -> str:
    return re.search(rf"http://\S+{part}\S+", message.body).group(0)


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_pending_address_never_takes_the_owners_account(two_people, live_url, member, password):
    mallory_page, victim_page = two_people
    token = new_token()
    MentorLink.objects.create(
        user=member,
        label="Dr X",
        token_hash=hash_token(token),
        expires_on=timezone.localdate() + timezone.timedelta(days=30),
    )
    feed = CalendarFeed.objects.create(user=member)

    # Mallory asks to change her address to the victim's (password asked again).
    log_in(mallory_page, live_url, member.email, password)
    mallory_page.goto(live_url + "/accounts/email/")
    mallory_page.fill("#id_email", VICTIM)
    mallory_page.get_by_role("button", name="Change Email").click()
    mallory_page.fill("#id_password", password)
    mallory_page.get_by_role("button", name="Confirm").click()
    expect(mallory_page.get_by_text(VICTIM).first).to_be_visible()
    [planted] = mails_to(VICTIM)
    planted_link = link_in(planted, "/confirm-email/")

    # The victim signs up: an account is made and its verification mail arrives.
    victim_page.goto(live_url + "/accounts/signup/")
    victim_page.fill("#id_email", VICTIM)
    victim_page.fill("#id_password1", "the-victims-own-passphrase")
    victim_page.fill("#id_password2", "the-victims-own-passphrase")
    victim_page.get_by_role("button", name="Sign Up").click()
    expect(victim_page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify"))
    victim = User.objects.get(email=VICTIM)
    assert victim.pk != member.pk
    assert len(mails_to(VICTIM)) == 2  # Mallory's request, then the victim's own verification
    verification_link = link_in(mails_to(VICTIM)[-1], "/confirm-email/")
    assert verification_link != planted_link

    # The victim resets the password: the reset is for the victim's account.
    victim_page.goto(live_url + "/accounts/password/reset/")
    victim_page.fill("#id_email", VICTIM)
    victim_page.get_by_role("button", name="Reset My Password").click()
    reset_link = link_in(mails_to(VICTIM)[-1], "/password/reset/key/")
    victim_page.goto(reset_link)
    victim_page.fill("#id_password1", "reset-by-the-victim-passphrase")
    victim_page.fill("#id_password2", "reset-by-the-victim-passphrase")
    victim_page.get_by_role("button", name="Change Password").click()
    expect(victim_page.get_by_role("heading", level=1)).to_contain_text("Password")
    victim.refresh_from_db()
    member.refresh_from_db()
    assert victim.check_password("reset-by-the-victim-passphrase")
    assert member.check_password(password)

    # The victim follows the link Mallory's request mailed them: it no longer works.
    victim_page.goto(planted_link)
    expect(victim_page.get_by_text("expired or is invalid")).to_be_visible()
    expect(victim_page.get_by_role("button", name="Confirm")).to_have_count(0)
    member.refresh_from_db()
    assert member.email == "alice@example.com"

    # The victim's own link verifies the victim's own account.
    victim_page.goto(verification_link)
    victim_page.get_by_role("button", name="Confirm").click()
    assert victim.emailaddress_set.get(email=VICTIM).verified

    # Mallory's account is unchanged: still her address, her link and feed still work.
    mallory_page.goto(live_url + "/accounts/email/")
    expect(mallory_page.get_by_text(VICTIM)).to_have_count(0)
    assert mallory_page.request.get(f"{live_url}/mentor/{token}/").status == 200
    assert mallory_page.request.get(live_url + feed.get_absolute_url()).status == 200
