"""Every page a visitor or a member can reach, by persona: one list for the accessibility
sweep in a real browser (axe-core and the 375 px width check, test_axe_every_page.py) and
for the HTML validator (test_valid_html.py).

The list is checked against the URL classification (tests/security/url_classes.py): every
public, member-only and token-based pattern is either visited here or excluded below with
its reason (test_axe_every_page.py::test_page_list_covers_every_visitor_and_member_page),
so a new page cannot escape either sweep.
"""

import datetime
import hashlib
import os

from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    give_authenticator_app,
    make_application,
    make_member,
    make_resource,
)

# Who visits. Each is signed in the way a person would be (the log-in form, a code for the
# second factor), so pages behind allauth's "confirm your password again" gate open too.
VISITOR = "visitor"
MEMBER = "member"  # Alice: onboarded, with applications, a mentor link
NEWCOMER = "newcomer"  # Nora: verified, not onboarded yet
# Tess: authenticator app, recovery codes, a passkey, an email change pending verification
TWO_FACTOR = "two-factor member"
TWO_FACTOR_STAGE = "two-factor log-in stage"  # has typed Tess's password, not her code
PERSONAS = (VISITOR, MEMBER, NEWCOMER, TWO_FACTOR, TWO_FACTOR_STAGE)

NOT_FOUND = "/no-such-page/"  # the 404 page (the one page here not answered with a 200)

# Visitor/member patterns that are not HTML pages anyone reaches with a GET, and why.
# POST_ONLY ones are checked to answer a GET with 405.
POST_ONLY = {
    "pathways:keep_preview": "the preview's 'keep my answers' form posts here",
    "resources:save": "the save/unsave button of a resource",
    "applications:bulk_status": "the index's bulk status form",
    "applications:carry_over": "the past cycle's carry-over button",
    "applications:application_status": "a card's status form (htmx or plain)",
    "applications:application_signal": "a card's signal form",
    "applications:application_delete": "the detail page's delete button",
    "applications:rank_move": "the rank list's up/down buttons",
    "applications:rank_note": "the rank list's note form",
    "applications:interview_delete": "the interview form's delete button",
    "applications:letter_delete": "the letter form's delete button",
    "applications:cost_delete": "the cost form's delete button",
    "applications:program_delete": "the program page's delete button",
    "applications:import_confirm": "the import preview's confirm button",
    "mentors:revoke": "the mentor-link list's revoke button",
    "reminders:calendar_token": "the calendar page's make/replace link button",
}
EXCLUDED = {
    **{key: "POST only: " + why for key, why in POST_ONLY.items()},
    "healthz": "JSON for the load balancer",
    "applications:import_sample": "a CSV download",
    "applications:export": "a CSV/XLSX download",
    "applications:rank_export": "a CSV download",
    "reminders:feed": "an iCalendar feed for calendar apps",
    "mfa_download_recovery_codes": "a text download (its page, view recovery codes, is swept)",
    "mfa_login_webauthn": "POST only: the log-in page's 'Sign in with a passkey' button; a GET "
    "redirects to the log-in page",
    "account_set_password": "only for an account without a password (none here: sign-up "
    "takes a password); a member is redirected to change password, which is swept",
    "account_confirm_login_code": "log-in by emailed code is off; a GET redirects to log in",
}


def make_passkey(user, name: str = "Laptop"):
    """A WebAuthn authenticator row as allauth stores one after a registration ('none'
    attestation, an ES256 key made here), so the key's edit and remove pages and the passkey
    re-authentication page have a real credential to show and challenge."""
    from allauth.mfa.models import Authenticator
    from cryptography.hazmat.primitives.asymmetric import ec
    from fido2.cose import ES256
    from fido2.utils import websafe_encode
    from fido2.webauthn import (
        Aaguid,
        AttestationObject,
        AttestedCredentialData,
        AuthenticatorData,
        CollectedClientData,
    )

    credential_id = os.urandom(16)
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    authenticator_data = AuthenticatorData.create(
        hashlib.sha256(b"localhost").digest(),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(Aaguid.NONE, credential_id, public_key),
    )
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=os.urandom(16), origin="http://localhost"
    )
    credential = {
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(client_data),
            "attestationObject": websafe_encode(
                AttestationObject.create("none", authenticator_data, {})
            ),
        },
        "clientExtensionResults": {"credProps": {"rk": True}},
    }
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": credential}
    )


def add_page_objects(site: dict) -> dict:
    """Rows that make every page show something (and the tokens that open the token pages),
    on top of tests/security/conftest.py's build_site(): a copy of `site` with them added."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from applications.models import CostEntry, Interview, Letter
    from mentors.models import MentorLink, hash_token, new_token
    from reminders.emails import unsubscribe_token

    alice = site["member"]
    application = make_application(alice, status="interviewed")
    interview = Interview.objects.create(
        user=alice,
        application=application,
        date=datetime.date(2026, 11, 10),
        start_time=datetime.time(9),
        time_zone="America/New_York",
    )
    letter = Letter.objects.create(user=alice, writer="Dr Rao")
    letter.applications.add(application)
    cost = CostEntry.objects.create(
        user=alice, cycle=2027, category="travel", description="Bus", amount=20
    )
    alice.saved_resources.create(resource=site["resource"])
    mentor_token = new_token()
    MentorLink.objects.create(
        user=alice,
        token_hash=hash_token(mentor_token),
        label="Dr Rao",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        include_notes=True,
    )
    tess = make_member("tess@example.com")
    # Not on Alice: allauth refuses to set up a second factor while an address is unverified.
    unverified = EmailAddress.objects.create(user=tess, email="tess.work@example.com")
    secret = give_authenticator_app(tess)
    RecoveryCodes.activate(tess)
    passkey = make_passkey(tess)
    return {
        **site,
        **{
            "newcomer": make_member("nora@example.com", onboarded=False),
            "two_factor": tess,
            "totp_secret": secret,
            "application": application,
            "interview": interview,
            "letter": letter,
            "cost": cost,
            "passkey": passkey,
            "mentor_token": mentor_token,
            "confirm_email_key": EmailConfirmationHMAC(unverified).key,
            "reset_key": f"{user_pk_to_url_str(alice)}-{default_token_generator.make_token(alice)}",
            "unsubscribe_token": unsubscribe_token(alice),
            "unsaved_resource": make_resource(title="Unsaved resource", slug="unsaved-resource"),
        },
    }


def page_urls(site: dict) -> dict[str, list[str]]:
    """{persona: [url, ...]}: every page each persona is shown (site from add_page_objects)."""
    application, program = site["application"], site["application"].program
    milestone, resource = site["milestone"].slug, site["resource"].slug
    preview = (
        "/roadmap/preview/?graduation_year=2022&specialty=Emergency+Medicine&match_year=2028"
        "&visa=h1b&has_step2cs=on&step2cs_month=11&step2cs_year=2019"
    )
    public = [
        "/roadmap/preview/",
        preview,
        "/resources/",
        "/resources/?q=visa&cost=free",
        "/resources/?q=zzzzqqq",
        f"/resources/{resource}/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/confirm-email/",  # "verify your email" after sign-up
        "/accounts/inactive/",
        NOT_FOUND,
    ]
    return {
        VISITOR: [
            "/",
            "/accounts/login/",
            "/accounts/signup/",
            *public,
            f"/accounts/confirm-email/{site['confirm_email_key']}/",
            "/accounts/confirm-email/not-a-real-key/",
            f"/accounts/password/reset/key/{site['reset_key']}/",  # -> its set-password form
            "/accounts/password/reset/key/1-not-a-real-key/",
            f"/mentor/{site['mentor_token']}/",
            f"/reminders/unsubscribe/{site['unsubscribe_token']}/",
        ],
        MEMBER: [
            *public,
            "/roadmap/",
            "/roadmap/timeline/",
            "/roadmap/c/exams/",  # a dashboard section's rows, as a page (without JavaScript)
            f"/roadmap/m/{milestone}/",
            f"/roadmap/m/{milestone}/progress/",
            "/roadmap/m/step-2-ck/",  # an exam: attempts and a score
            "/roadmap/m/step-2-ck/progress/",
            "/resources/saved/",
            f"/resources/{resource}/report/",
            "/resources/unsaved-resource/",
            "/me/welcome/",  # an onboarded member edits their answers here
            "/me/settings/",
            "/me/export/",
            "/me/delete/",
            "/me/mentor-links/",
            "/me/mentor-links/new/",
            "/reminders/",
            "/reminders/calendar/",
            "/reminders/can-i-match/",
            "/applications/",
            "/applications/new/",
            f"/applications/a/{application.pk}/",
            "/applications/programs/",
            "/applications/programs/new/",
            f"/applications/programs/{program.pk}/",
            f"/applications/programs/{program.pk}/edit/",
            "/applications/interviews/",
            f"/applications/interviews/{site['interview'].pk}/",
            "/applications/letters/",
            f"/applications/letters/{site['letter'].pk}/",
            "/applications/costs/",
            "/applications/costs/?estimate=eras-token",
            f"/applications/costs/{site['cost'].pk}/",
            "/applications/rank/",
            "/applications/import/",
            "/accounts/logout/",  # the "are you sure" page
            "/accounts/reauthenticate/",
            "/accounts/email/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            "/accounts/2fa/totp/activate/",
            "/accounts/2fa/webauthn/",
            "/accounts/2fa/webauthn/add/",
            "/accounts/sessions/",
        ],
        NEWCOMER: ["/me/welcome/"],
        TWO_FACTOR: [
            "/accounts/email/",  # with a change of address pending verification
            "/accounts/2fa/",
            "/accounts/2fa/reauthenticate/",
            "/accounts/2fa/totp/deactivate/",
            "/accounts/2fa/recovery-codes/",
            "/accounts/2fa/recovery-codes/generate/",
            "/accounts/2fa/webauthn/",
            "/accounts/2fa/webauthn/reauthenticate/",
            f"/accounts/2fa/webauthn/keys/{site['passkey'].pk}/edit/",
            f"/accounts/2fa/webauthn/keys/{site['passkey'].pk}/remove/",
        ],
        TWO_FACTOR_STAGE: ["/accounts/2fa/authenticate/"],
    }


def signed_in_client(persona: str, site: dict) -> Client:
    """A test client signed in as the persona through the real log-in form (and code), then
    re-authenticated (the password again), as allauth asks before second-factor changes."""
    from tests.accounts.totp import totp_code

    client = Client()
    if persona == VISITOR:
        return client
    if persona == NEWCOMER:
        client.force_login(site["newcomer"])
        return client
    user = site["member"] if persona == MEMBER else site["two_factor"]
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    if persona == TWO_FACTOR_STAGE:
        assert response["Location"] == "/accounts/2fa/authenticate/", response
        return client
    if persona == TWO_FACTOR:
        assert response["Location"] == "/accounts/2fa/authenticate/", response
        code = totp_code(site["totp_secret"], timezone.now().timestamp())
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/roadmap/", response
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response
    return client


def session_cookie(client: Client) -> tuple[str, str]:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return cookie.key, cookie.value
