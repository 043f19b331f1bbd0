"""One cross-user sweep over every app, driven from the URL resolver.

Bob keeps one of everything a member can own (programs, applications with their history,
costs, interviews, letters, progress, saved resources, problem reports, reminder settings,
a calendar feed, mentor links, a passkey, a signed-in device...), every text of it carrying
MARK. Alice, another member signed in through the real log-in form (so allauth's
"recently authenticated" pages let her through), then tries every URL:

- A URL whose path argument points at one of Bob's objects (OWNED): GET, POST and htmx POST
  are each a 404, or a 405 for a method the view does not take (Bob gets the same 405), and
  at least one of them is a 404.
- A URL whose slug names a shared object, under which the member's own row is found by the
  signed-in user (OWN_ROW: progress by milestone, saving or reporting a resource): Alice's
  requests work on her own row and never touch Bob's.
- Every member URL, with Bob's primary keys, email address and versions stuffed into the
  POST body under every field name a form here uses (BODY): nothing of Bob's changes.

After each URL, every row that belongs to Bob (any model with a foreign key to him, and
any row pointing at one of those rows, such as a letter's applications) is compared field by
field with the snapshot taken before; MARK never appears in a response to Alice. A visitor
gets the log-in redirect on each of Bob's URLs; a wrong or revoked token is a 404 on the
calendar feed, the mentor link and the unsubscribe link.

A URL with a path argument that this module does not know fails
test_every_url_with_an_object_argument_is_known: say how to build Bob's object for it.
"""

import datetime
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from accounts.models import Notice
from catalogue.models import Proposal
from mentors.models import MentorLink, hash_token, new_token
from pathways.models import Progress
from reminders import emails
from reminders.models import CalendarFeed, ReminderPreference, SentReminder
from resources.models import ProblemReport, Resource, SavedResource
from tests.factories import (
    PASSWORD,
    make_application,
    make_cost,
    make_interview,
    make_letter,
    make_program,
)
from tests.security.url_classes import MEMBER, STAFF, TOKEN, all_routes, keys_where

MARK = "bob-private-7f3a"
LOGIN = "/accounts/login/"
HTMX = {"HX-Request": "true"}

# From the registry (tests/security/url_classes.py), for the URLs with a path argument:
# URL name -> (Bob's object the path argument points at, the argument's name).
ROUTES = {route.key: route for route in all_routes()}
OWNED = {
    key: (url.owns, ROUTES[key].arguments[0])
    for key, url in keys_where(lambda url: bool(url.owns)).items()
    if key in ROUTES  # a stale entry fails test_url_sweep.py
}
# URL name -> (the shared object whose slug is in the path, Bob's own row under it).
OWN_ROW = {key: url.own_row for key, url in keys_where(lambda url: bool(url.own_row)).items()}
# Reached by a secret in the path: tested below (wrong, revoked).
TOKENS = set(keys_where(lambda url: url.url_class == TOKEN and not url.shared))
# Path arguments that point at nothing a member owns, and why.
NO_MEMBER_OBJECT = {
    key: url.shared for key, url in keys_where(lambda url: bool(url.shared)).items()
}


def has_argument(route) -> bool:
    return "<" in route.route


def member_routes_with_arguments() -> list:
    return [r for r in all_routes() if has_argument(r) and r.url_class != STAFF]


def member_routes() -> list:
    return sorted((r for r in all_routes() if r.url_class == MEMBER), key=lambda r: r.key)


# --- Bob's rows ---------------------------------------------------------------------------


def owned_rows(user) -> dict[str, list[dict]]:
    """Every row of `user`: the user, each row of a model with a foreign key to the user
    model (any of them: owner, resolver...), and each row pointing at one of those (a
    letter's applications, an interview's application...). Field by field, ordered by pk."""
    user_model = get_user_model()
    models = apps.get_models(include_auto_created=True)
    snapshot = {"user": list(user_model.objects.filter(pk=user.pk).values())}
    keys: dict = {user_model: {user.pk}}
    for depth in (1, 2):
        for model in models:
            if model is user_model or model._meta.label in snapshot:
                continue
            fks = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and f.related_model in keys
                and (depth == 1) == (f.related_model is user_model)
            ]
            if not fks:
                continue
            query = Q()
            for field in fks:
                query |= Q(**{f"{field.name}__in": keys[field.related_model]})
            rows = list(model._default_manager.filter(query).order_by("pk").values())
            snapshot[model._meta.label] = rows
            if depth == 1:
                keys[model] = {row[model._meta.pk.attname] for row in rows}
    return snapshot


def changes(before: dict, after: dict) -> list[str]:
    return [
        f"{label}: {before.get(label)} -> {after.get(label)}"
        for label in sorted(set(before) | set(after))
        if before.get(label) != after.get(label)
    ]


@pytest.fixture
def bob(site):
    """Bob with one of everything a member can own, every text marked with MARK; his
    objects by name."""
    bob = site["other_member"]
    # A real log-in (his device is listed: UserSession), before his passkey exists.
    bob_client = signed_in(bob)
    progress = Progress.objects.get(user=bob, milestone=site["milestone"])
    Progress.objects.filter(user=bob).update(notes=f"{MARK} notes")
    program = make_program(bob, name=f"{MARK} program", notes=f"{MARK} program notes")
    application = make_application(
        bob, program, cycle=2027, status="interviewed", notes=f"{MARK} application notes"
    )
    interview = make_interview(
        bob,
        application,
        date=datetime.date(2027, 11, 1),
        time_zone="UTC",
        notes=f"{MARK} interview",
    )
    letter = make_letter(bob, [application], writer=f"{MARK} writer", notes=f"{MARK} letter")
    cost = make_cost(bob, description=f"{MARK} flight", amount=300)
    saved_resource, reported_resource = Resource.objects.published().order_by("slug")[:2]
    saved = SavedResource.objects.create(user=bob, resource=saved_resource)
    report = ProblemReport.objects.create(
        user=bob, resource=reported_resource, kind="broken_link", message=f"{MARK} report"
    )
    ReminderPreference.objects.create(user=bob, days_30=False)
    SentReminder.objects.create(
        user=bob, subject_key="x", due_date=datetime.date(2027, 1, 1), horizon=7
    )
    CalendarFeed.objects.create(user=bob)
    proposal = Proposal.objects.create(
        user=bob,
        program=site["catalogue_program"],
        kind="note",
        value=f"{MARK} proposal",
        source_url="https://example.org/bob",
        comment=f"{MARK} comment",
    )
    mentor_link = MentorLink.objects.create(
        user=bob,
        token_hash=hash_token(new_token()),
        label=f"{MARK} mentor",
        expires_on=datetime.date(2099, 1, 1),
    )
    passkey = Authenticator.objects.create(
        user=bob, type=Authenticator.Type.WEBAUTHN, data={"name": f"{MARK} key"}
    )
    notice = Notice.objects.create(user=bob, key="catalogue-change:0", message=f"{MARK} notice")
    return {
        "user": bob,
        "client": bob_client,
        "program": program,
        "application": application,
        "interview": interview,
        "letter": letter,
        "cost": cost,
        "milestone": site["milestone"],
        "progress": progress,
        "saved_resource": saved_resource,
        "saved": saved,
        "reported_resource": reported_resource,
        "report": report,
        "mentor_link": mentor_link,
        "passkey": passkey,
        "notice": notice,
        "proposal": proposal,
    }


def signed_in(user) -> Client:
    """Signed in through the log-in form, then reauthenticated with the password: allauth's
    gate on sensitive pages (passkeys) lets the request through to the view itself."""
    client = Client()
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and not response["Location"].startswith(LOGIN), (
        response.status_code,
        response.get("Location"),
        user.email,
    )
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302 and "reauthenticate" not in response["Location"]
    return client


@pytest.fixture
def alice_client(site):
    return signed_in(site["member"])


def body(bob: dict) -> dict:
    """A POST body pointing at Bob's objects under every field name our forms use."""
    application, program = bob["application"], bob["program"]
    return {
        "ids": [application.pk],
        "program": program.pk,
        "application": application.pk,
        "applications": [application.pk],
        "status": "withdrawn",
        "version": application.version,
        "direction": "up",
        "signal": "gold",
        "rank_note": "alice was here",
        "notes": "alice was here",
        "pk": application.pk,
        "id": application.pk,
        "email": bob["user"].email,
        "action_remove": "",
        "action": "revoke",
        "from_cycle": 2027,
        "cycle": 2027,
        "name": "alice was here",
        "kind": "broken_link",
        "message": "alice was here",
        "label": "alice was here",
        "category": "travel",
        "description": "alice was here",
        "amount": 1,
        "writer": "alice was here",
    }


def requests(client, url: str, data: dict) -> dict:
    return {
        "GET": client.get(url),
        "POST": client.post(url, data),
        "htmx POST": client.post(url, data, headers=HTMX),
    }


def leaks(responses: dict) -> list[str]:
    return [
        method
        for method, response in responses.items()
        if MARK.encode() in getattr(response, "content", b"")
    ]


# --- The sweep ----------------------------------------------------------------------------


def test_every_url_with_an_object_argument_is_known():
    """A new URL with a path argument (outside the admin) fails here until its entry in
    tests/security/url_classes.py says what the argument is: `owns` (Bob's object), `own_row`,
    `shared` (with the reason), or the TOKEN class."""
    known = set(OWNED) | set(OWN_ROW) | TOKENS | set(NO_MEMBER_OBJECT)
    routes = member_routes_with_arguments()
    unknown = [f"{r.key} ({r.route})" for r in routes if r.key not in known]
    assert not unknown, (
        "URLs with an object argument that the cross-user sweep does not know (say what the "
        "argument is in their entry in tests/security/url_classes.py):\n  " + "\n  ".join(unknown)
    )
    stale = known - {r.key for r in routes}
    assert not stale, f"Listed here but no longer URLs: {sorted(stale)}"
    for route in routes:
        if route.key in OWNED or route.key in OWN_ROW:
            assert route.url_class == MEMBER, route.key


@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_members_object_is_a_404(name, bob, alice_client):
    obj, argument = OWNED[name]
    url = reverse(name, kwargs={argument: bob[obj].pk})
    before = owned_rows(bob["user"])
    responses = requests(alice_client, url, body(bob))
    codes = {method: response.status_code for method, response in responses.items()}
    assert set(codes.values()) <= {404, 405}, codes
    assert 404 in codes.values(), codes
    # 405 only where the view takes no such method: Bob gets the same 405.
    if codes["GET"] == 405:
        assert bob["client"].get(url).status_code == 405
    if codes["POST"] == 405:
        assert bob["client"].post(url, {}).status_code == 405
    assert not changes(before, owned_rows(bob["user"]))
    assert not leaks(responses)
    # Control: the URL is live for its owner (a GET-taking view answers Bob with his page).
    if codes["GET"] == 404:
        assert bob["client"].get(url).status_code == 200


@pytest.mark.parametrize("name", sorted(OWN_ROW))
def test_a_slug_url_works_on_the_members_own_row_only(name, bob, alice_client):
    shared, own_row = OWN_ROW[name]
    url = reverse(name, kwargs={"slug": bob[shared].slug})
    before = owned_rows(bob["user"])
    data = {**body(bob), "status": "done", "notes": "alice was here", "pk": bob[own_row].pk}
    responses = requests(alice_client, url, data)
    codes = {method: response.status_code for method, response in responses.items()}
    # Her own row, so her page (200), her redirect (302), or 405 for a POST-only view.
    assert set(codes.values()) <= {200, 302, 405}, codes
    assert not changes(before, owned_rows(bob["user"]))
    assert not leaks(responses)


def other_member_routes() -> list:
    """Member URLs not in OWNED or OWN_ROW (those get the same body in their own tests)."""
    return [r for r in member_routes() if r.key not in OWNED and r.key not in OWN_ROW]


@pytest.mark.parametrize("key", [route.key for route in other_member_routes()])
def test_no_member_url_touches_another_members_rows(key, bob, alice_client, url_for):
    """Every other member URL (lists, new-object forms, bulk changes, settings, allauth's
    email, second-factor and device pages), GET, POST and htmx POST with a body full of
    Bob's keys: no 5xx, nothing of Bob's changed or shown."""
    route = next(r for r in other_member_routes() if r.key == key)
    url = url_for(route)
    before = owned_rows(bob["user"])
    responses = requests(alice_client, url, body(bob))
    errors = {m: r.status_code for m, r in responses.items() if r.status_code >= 500}
    assert not errors, errors
    assert not changes(before, owned_rows(bob["user"]))
    assert not leaks(responses)


def test_a_visitor_is_sent_to_log_in_from_each_of_bobs_urls(bob):
    visitor = Client()
    urls = [reverse(n, kwargs={a: bob[o].pk}) for n, (o, a) in OWNED.items()]
    urls += [reverse(n, kwargs={"slug": bob[s].slug}) for n, (s, _) in OWN_ROW.items()]
    before = owned_rows(bob["user"])
    wrong = []
    for url in urls:
        for method, response in requests(visitor, url, body(bob)).items():
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(LOGIN + "?next="):
                wrong.append(f"{method} {url}: {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)
    assert len(urls) == len(OWNED) + len(OWN_ROW)
    assert not changes(before, owned_rows(bob["user"]))


# --- Tokens: wrong or revoked is a 404 ----------------------------------------------------


def wrong_tokens(good: str) -> list[str]:
    flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
    return [flipped, good[:-2], "x" * len(good)]


def test_calendar_feed_wrong_regenerated_and_revoked_tokens_are_404(bob, alice_client):
    bob_client = bob["client"]
    token = CalendarFeed.objects.get(user=bob["user"]).token
    assert alice_client.get(f"/calendar/{token}.ics").status_code == 200  # control
    for wrong in {t for t in wrong_tokens(token) if t != token and len(t) >= 20}:
        assert Client().get(f"/calendar/{wrong}.ics").status_code == 404, wrong
    # Alice cannot switch Bob's feed off: her revoke acts on her own feed (none).
    alice_client.post(reverse("reminders:calendar_token"), {"action": "revoke"})
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    # Bob regenerates: the old token stops; then he revokes: the new one stops.
    bob_client.post(reverse("reminders:calendar_token"))
    new = CalendarFeed.objects.get(user=bob["user"]).token
    assert new != token
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
    assert Client().get(f"/calendar/{new}.ics").status_code == 200
    bob_client.post(reverse("reminders:calendar_token"), {"action": "revoke"})
    for old in (token, new):
        assert Client().get(f"/calendar/{old}.ics").status_code == 404
        assert Client().head(f"/calendar/{old}.ics").status_code == 404


def test_mentor_link_wrong_and_revoked_tokens_are_404(bob, alice_client):
    bob_client = bob["client"]
    expires_on = datetime.date.today() + datetime.timedelta(days=7)
    data = {"label": "Dr Mentor", "expires_on": expires_on.isoformat()}
    assert bob_client.post(reverse("mentors:create"), data).status_code == 302
    link = MentorLink.objects.get(user=bob["user"], label="Dr Mentor")
    page = bob_client.get(reverse("mentors:links")).content.decode()
    token = re.search(r"/mentor/([^/\"<\s]+)/", page).group(1)
    url = reverse("mentors:shared", args=[token])
    assert Client().get(url).status_code == 200  # control
    for wrong in wrong_tokens(token):
        if wrong != token:
            assert Client().get(reverse("mentors:shared", args=[wrong])).status_code == 404
    # Alice's revoke of Bob's link is a 404 and the link still opens.
    assert alice_client.post(reverse("mentors:revoke", args=[link.pk])).status_code == 404
    assert Client().get(url).status_code == 200
    # Bob revokes it through the app: GET and HEAD are 404 from then on, and a POST is 405.
    assert bob_client.post(reverse("mentors:revoke", args=[link.pk])).status_code == 302
    for client in (Client(), alice_client, bob_client):
        assert client.get(url).status_code == 404
        assert client.head(url).status_code == 404
        assert client.post(url).status_code == 405


def test_unsubscribe_wrong_and_revoked_tokens_are_404(bob, alice_client):
    """The unsubscribe token is a signed user id (RFC 8058: it must keep working from any
    old email); it dies with the account."""
    user = bob["user"]
    token = emails.unsubscribe_token(user)
    url = reverse("reminders:unsubscribe", args=[token])
    assert Client().get(url).status_code == 200  # control (a GET changes nothing)
    wrongs = [
        *[t for t in wrong_tokens(token) if t != token],
        signing.dumps(user.pk),  # no salt
        signing.dumps(user.pk, salt="mentors"),  # another purpose
        signing.dumps(str(user.pk), salt=emails.UNSUBSCRIBE_SALT),  # not an id
        signing.dumps(10**9, salt=emails.UNSUBSCRIBE_SALT),  # no such member
    ]
    before = owned_rows(user)
    for wrong in wrongs:
        wrong_url = reverse("reminders:unsubscribe", args=[wrong])
        for client in (Client(), alice_client):
            assert client.get(wrong_url).status_code == 404, wrong
            assert client.post(wrong_url).status_code == 404, wrong
            assert client.post(wrong_url, headers=HTMX).status_code == 404, wrong
    assert not changes(before, owned_rows(user))
    # Bob deletes his account through the app: his old links are 404.
    deleted = bob["client"].post(
        reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"}
    )
    assert deleted.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404


def test_the_sweep_covers_every_member_owned_model(bob):
    """Bob owns a row of every model with a foreign key to the user that a member can
    create, so the snapshot compares real rows, not empty lists."""
    snapshot = owned_rows(bob["user"])
    empty = sorted(label for label, rows in snapshot.items() if not rows)
    # Rows only the system or staff write: the admin log, curators' date changes and catalogue
    # facts and their history (the curator who checked or changed them), email confirmations
    # (allauth deletes them once used), a member's groups and permissions.
    assert set(empty) <= {
        "admin.LogEntry",
        "pathways.DateChange",
        "catalogue.Fact",
        "catalogue.FactChange",
        "account.EmailConfirmation",
        "accounts.User_groups",
        "accounts.User_user_permissions",
        # Curators' LCA files and employer decisions, and the cases read from the files.
        "lca.LcaFile",
        "lca.EmployerLink",
        "lca.LcaCase",
    }, empty
    assert len(snapshot["applications.StatusChange"]) == 1
    assert len(snapshot["applications.Letter_applications"]) == 1
    assert len(snapshot["usersessions.UserSession"]) >= 1
    assert UserSession.objects.filter(user=bob["user"]).exists()
