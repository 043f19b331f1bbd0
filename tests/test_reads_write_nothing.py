"""Reading never writes: every page a member can open, by GET and HEAD, leaves every table as
it was (sessions aside, which Django and accounts.middleware.IdleTimeoutMiddleware refresh).
Pages are discovered from the URL resolver, so a page added later is visited too; one that
needs an argument gets a slug from SLUGS (or the registry's `sample`, ARGUMENTS), or, for an
integer, the pk of the persona's own object the registry's `owns` names (PKS).
"""

import datetime
import time

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from accounts.middleware import REFRESH_EVERY, SEEN_KEY
from accounts.models import Notice
from catalogue.models import Proposal
from mentors.models import MentorLink, hash_token
from pathways.models import Milestone
from tests.factories import (
    give_fact,
    make_application,
    make_catalogue_program,
    make_cost,
    make_interview,
    make_letter,
    make_program,
    make_resource,
    record,
)
from tests.security.url_classes import OWNED_MODELS, keys_where

pytestmark = pytest.mark.django_db

# The apps whose pages members open; allauth's own pages are listed below.
MEMBER_NAMESPACES = {"accounts", "pathways", "resources", "applications", "mentors", "catalogue"}
ALLAUTH_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/sessions/",
]
# The session's own bookkeeping: the session row (its expiry slides) and allauth's record
# of it (the "last seen" of the member's device list), refreshed at most every 5 minutes.
SESSION_TABLES = {"django_session", "usersessions_usersession"}
# The slug a pattern of each app gets: a curated milestone, the test's own resource.
SLUGS = {"pathways": "step-1", "resources": "saved-resource"}
# The mentor link's token; the token page is the one page whose GET writes: see
# test_mentor_token_page below.
TOKEN = "mentor-token-of-the-sweep-0123456789abcdefghijklmn"
# A pattern's own text argument, where the app-wide slug does not fit: the registry's
# `sample` (tests/security/url_classes.py), and the mentor link's token made here.
ARGUMENTS = {
    **{key: url.sample for key, url in keys_where(lambda url: bool(url.sample)).items()},
    "mentors:shared": TOKEN,
}
# The model whose pk an integer argument is (the registry's `owns`; made for the persona by
# make_objects).
PKS = {key: OWNED_MODELS[url.owns] for key, url in keys_where(lambda url: bool(url.owns)).items()}
# An integer argument that names a shared object (the registry's `value`), by model.
SHARED_PKS = {
    key: "catalogue.CatalogueProgram"
    for key, url in keys_where(lambda url: url.value == "catalogue_program").items()
}


def member_page_patterns() -> list[tuple[str, URLPattern]]:
    """(namespace, pattern) of every named pattern of the member apps."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in MEMBER_NAMESPACES:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern) and pattern.name, pattern
                found.append((entry.namespace, pattern))
    return found


def member_urls(pks: dict[str, int]) -> list[str]:
    """Every member page; `pks` maps a model label to the pk of the persona's own object."""
    urls = ["/"]
    for namespace, pattern in member_page_patterns():
        name = f"{namespace}:{pattern.name}"
        args = []
        for converter in pattern.pattern.converters.values():
            if isinstance(converter, IntConverter):
                model = PKS.get(name) or SHARED_PKS.get(name)
                assert model, f"{name}: say what its pk is (`owns`) in url_classes.py"
                args.append(pks[model])
            else:
                args.append(ARGUMENTS.get(name) or SLUGS[namespace])
        urls.append(reverse(name, args=args))
    return [*urls, *ALLAUTH_PAGES]


def make_objects(user) -> dict[str, int]:
    """One of each object of the application season, owned by `user`: {model label: pk}."""
    application = make_application(user, status="interviewed")
    interview = make_interview(user, application)
    letter = make_letter(user, [application], writer="Dr. Writer")
    cost = make_cost(user)
    link = make_sweep_link(user)
    notice = Notice.objects.create(user=user, key="sweep", message="A program changed.", url="/")
    entry = make_catalogue_program()
    give_fact(entry, "sponsors_j1", "yes")
    make_program(user, name=entry.name, specialty=entry.specialty, catalogue=entry)
    proposal = Proposal.objects.create(
        user=user, program=entry, kind="note", value="x", source_url="https://example.org/"
    )
    objects = [application, application.program, interview, letter, cost, link, notice, entry]
    objects.append(proposal)
    return {obj._meta.label: obj.pk for obj in objects}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.db_table not in SESSION_TABLES
    }


WRITES = {"INSERT", "UPDATE", "DELETE"}


def written_tables(queries) -> set[str]:
    """The tables an INSERT, UPDATE or DELETE statement touched."""
    tables = set()
    for query in queries:
        words = query["sql"].replace('"', " ").replace("`", " ").split()
        verb = words[0].upper()
        if verb in {"INSERT", "DELETE"}:
            tables.add(words[2])  # INSERT INTO t / DELETE FROM t
        elif verb == "UPDATE":
            tables.add(words[1])
    return tables


def make_sweep_link(user) -> MentorLink:
    return MentorLink.objects.create(
        user=user,
        token_hash=hash_token(TOKEN),
        label="Sweep",
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
        include_notes=True,
    )


def test_the_sweep_covers_every_member_page(curated, member):
    pks = make_objects(member)
    urls = member_urls(pks)
    assert "/me/mentor-links/" in urls and f"/mentor/{TOKEN}/" in urls
    assert "/roadmap/m/step-1/progress/" in urls and "/me/welcome/" in urls
    assert f"/applications/a/{pks['applications.Application']}/" in urls
    assert "/applications/export.csv" in urls
    assert f"/catalogue/{pks['catalogue.CatalogueProgram']}/" in urls
    assert len(urls) == len(set(urls)) >= 14


@pytest.mark.parametrize("persona", ["member_without_profile", "new_member", "member"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_no_member_page_writes_on_get_or_head(client, curated, persona, method, request):
    user = request.getfixturevalue(persona)
    resource = make_resource(slug="saved-resource", milestones=[Milestone.objects.first()])
    if persona == "member":  # some saved data, so pages have something to show
        record(user, "step-2-ck", status="in_progress", score=230)
        user.saved_resources.create(resource=resource)
    pks = make_objects(user)
    link = MentorLink.objects.get(pk=pks["mentors.MentorLink"])
    client.force_login(user)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - REFRESH_EVERY  # due for its refresh
    session.save()
    before = row_counts()
    statuses = {}
    token_page = f"/mentor/{TOKEN}/"
    with CaptureQueriesContext(connection) as queries:
        for url in member_urls(pks):
            if url != token_page:
                statuses[url] = getattr(client, method)(url).status_code
    assert row_counts() == before
    assert written_tables(queries) <= SESSION_TABLES
    # The one exception: a GET of the mentor token page records when the link was last
    # opened (the link's own bookkeeping, shown to the member), with one UPDATE of that
    # single column; HEAD writes nothing. Nothing else is written.
    with CaptureQueriesContext(connection) as queries:
        statuses[token_page] = getattr(client, method)(token_page).status_code
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in WRITES]
    if method == "get":
        [update] = writes
        assert update.startswith('UPDATE "mentors_mentorlink" SET "last_opened_at" = ')
        assert " WHERE " in update and update.count("=") == 2  # that column, that row
    else:
        assert writes == []
    link.last_opened_at = MentorLink.objects.get(pk=link.pk).last_opened_at
    assert MentorLink.objects.filter(pk=link.pk).values().get() == {
        **{f.attname: getattr(link, f.attname) for f in MentorLink._meta.concrete_fields}
    }
    assert row_counts() == before
    assert set(statuses.values()) <= {200, 302, 405}, statuses  # 405: POST-only endpoints
    assert statuses["/roadmap/"] == (200 if persona == "member" else 302)
