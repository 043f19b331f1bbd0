"""Every page a visitor or a member can reach, by persona: one list for the accessibility
sweep in a real browser (axe-core and the 375 px width check, test_axe_every_page.py) and
for the HTML validator (test_valid_html.py).

The list is made from the URL registry (tests/security/url_classes.py): each public,
member-only and token-based pattern is visited once, as the personas its entry names, with
its path argument filled from the site's objects (`owns`, `value`, `sample`), unless its
entry says why it is not a page (`post_only`, `not_a_page`). A new page is so visited
without an edit here; extra_pages() below adds the states one URL per pattern does not show
(query strings, a second milestone, wrong keys, the 404 page, a second persona).
test_axe_every_page.py::test_page_list_covers_every_visitor_and_member_page checks that
each answers as listed, and that every pattern is visited or excluded.
"""

import datetime
import hashlib
import os

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    give_authenticator_app,
    make_application,
    make_cost,
    make_interview,
    make_letter,
    make_member,
    make_resource,
)
from tests.security.url_classes import (
    AS_MEMBER,
    AS_NEWCOMER,
    AS_TWO_FACTOR,
    AS_TWO_FACTOR_STAGE,
    AS_VISITOR,
    URLS,
    all_routes,
    keys_where,
)

# Who visits. Each is signed in the way a person would be (the log-in form, a code for the
# second factor), so pages behind allauth's "confirm your password again" gate open too.
VISITOR = AS_VISITOR
MEMBER = AS_MEMBER  # Alice: onboarded, with applications, a mentor link
NEWCOMER = AS_NEWCOMER  # Nora: verified, not onboarded yet
# Tess: authenticator app, recovery codes, a passkey, an email change pending verification
TWO_FACTOR = AS_TWO_FACTOR
TWO_FACTOR_STAGE = AS_TWO_FACTOR_STAGE  # has typed Tess's password, not her code
PERSONAS = (VISITOR, MEMBER, NEWCOMER, TWO_FACTOR, TWO_FACTOR_STAGE)

NOT_FOUND = "/no-such-page/"  # the 404 page (the one page here not answered with a 200)

# Visitor/member patterns that are not HTML pages anyone reaches with a GET, and why (from
# the registry). POST_ONLY ones are checked to answer a GET with 405.
POST_ONLY = {key: url.post_only for key, url in keys_where(lambda url: bool(url.post_only)).items()}
EXCLUDED = {
    **{key: "POST only: " + why for key, why in POST_ONLY.items()},
    **{key: url.not_a_page for key, url in keys_where(lambda url: bool(url.not_a_page)).items()},
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

    from catalogue.models import Proposal
    from mentors.models import MentorLink, hash_token, new_token
    from reminders.emails import unsubscribe_token

    alice = site["member"]
    application = make_application(alice, status="interviewed")
    interview = make_interview(alice, application, date=datetime.date(2026, 11, 10))
    letter = make_letter(alice, [application], writer="Dr Rao")
    cost = make_cost(alice)
    alice.saved_resources.create(resource=site["resource"])
    mentor_token = new_token()
    MentorLink.objects.create(
        user=alice,
        token_hash=hash_token(mentor_token),
        label="Dr Rao",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        include_notes=True,
    )
    from accounts.models import Notice

    notice = Notice.objects.create(
        user=alice,
        key="catalogue-change:0",
        message="Example General IM: H-1B sponsorship changed from no to yes.",
        url=application.program.get_absolute_url(),
        source_url="https://example.org/program/visas",
    )
    tess = make_member("tess@example.com")
    # Not on Alice: allauth refuses to set up a second factor while an address is unverified.
    unverified = EmailAddress.objects.create(user=tess, email="tess.work@example.com")
    secret = give_authenticator_app(tess)
    RecoveryCodes.activate(tess)
    passkey = make_passkey(tess)
    proposal = Proposal.objects.create(
        user=alice,
        program=site["catalogue_program"],
        kind="sponsors_h1b",
        value="yes",
        source_url="https://example.org/metro/visas",
        comment="Their page says so.",
    )
    return {
        **site,
        **{
            "newcomer": make_member("nora@example.com", onboarded=False),
            "two_factor": tess,
            "totp_secret": secret,
            "application": application,
            "program": application.program,
            "interview": interview,
            "letter": letter,
            "cost": cost,
            "passkey": passkey,
            "notice": notice,
            "proposal": proposal,
            "mentor_token": mentor_token,
            "confirm_email_key": EmailConfirmationHMAC(unverified).key,
            "reset_key": {  # the reset link's two path arguments
                "uidb36": user_pk_to_url_str(alice),
                "key": default_token_generator.make_token(alice),
            },
            "unsubscribe_token": unsubscribe_token(alice),
            "unsaved_resource": make_resource(title="Unsaved resource", slug="unsaved-resource"),
        },
    }


def extra_pages(site: dict) -> dict[str, list[str]]:
    """{persona: [url, ...]}: the states one URL per pattern does not show."""
    preview = (
        "/roadmap/preview/?graduation_year=2022&specialty=Emergency+Medicine&match_year=2028"
        "&visa=h1b&has_step2cs=on&step2cs_month=11&step2cs_year=2019"
    )
    public = [preview, "/resources/?q=visa&cost=free", "/resources/?q=zzzzqqq", NOT_FOUND]
    return {
        VISITOR: [
            *public,
            "/accounts/confirm-email/not-a-real-key/",
            "/accounts/password/reset/key/1-not-a-real-key/",
        ],
        MEMBER: [
            *public,
            "/roadmap/m/step-2-ck/",  # an exam: attempts and a score
            "/roadmap/m/step-2-ck/progress/",
            "/resources/unsaved-resource/",
            "/applications/costs/?estimate=eras-token",
        ],
        NEWCOMER: ["/me/welcome/"],  # an onboarded member edits their answers there
        TWO_FACTOR: [
            "/accounts/email/",  # with a change of address pending verification
            "/accounts/2fa/",
            "/accounts/2fa/webauthn/",
        ],
        TWO_FACTOR_STAGE: [],
    }


def arguments(route, site: dict) -> dict:
    """A pattern's path arguments, from its registry entry and the site's objects."""
    url = URLS[route.key]
    if url.owns:
        value = site[url.owns].pk
    elif url.sample:
        value = url.sample
    elif route.arguments:
        assert url.value, f"{route.key}: name the site's object for its path (`value`)"
        value = site[url.value]
        if isinstance(value, dict):  # a value for each argument
            return value
        value = getattr(value, "slug", getattr(value, "pk", value))
    return {name: value for name in route.arguments}


def page_urls(site: dict) -> dict[str, list[str]]:
    """{persona: [url, ...]}: every page each persona is shown (site from add_page_objects):
    each page pattern of the registry once, then EXTRA_PAGES."""
    urls: dict[str, list[str]] = {persona: [] for persona in PERSONAS}
    for route in all_routes():
        url = URLS.get(route.key)
        if url is None or not url.page:
            continue  # unclassified: tests/security/test_url_sweep.py names it
        path = reverse(route.name, kwargs=arguments(route, site))
        for persona in url.personas:
            urls[persona].append(path)
    for persona, extra in extra_pages(site).items():
        urls[persona].extend(extra)
    return urls


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
