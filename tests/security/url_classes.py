"""Every URL pattern of the project, in one registry (URLS) that feeds every sweep.

Adding a URL means adding one entry here: `"namespace:name": Url(CLASS, ...)`. The sweeps
walk the resolver and fail on any pattern that is not listed here, naming its route, and
each reads what it needs from the entry:

- its class (below): tests/security/test_url_sweep.py gives every class its checks (log-in
  redirect, no way into the admin, wrong tokens, CSRF, no GET or HEAD writes);
- `owns`, for a path argument that is the pk of a member's own object ("application",
  "program", "cost", "interview", "letter", "mentor_link", "passkey": OWNED_MODELS): another
  member gets a 404 (tests/security/test_cross_user.py, tests/applications/test_ownership.py)
  and the read-only sweep opens it with the member's own object
  (tests/test_reads_write_nothing.py);
- `own_row`, for a slug of a shared object under which the signed-in member's own row is
  found (progress by milestone, a saved or reported resource): it must never reach
  another member's row (test_cross_user.py);
- `shared`, for a path argument that names nothing a member owns: why (test_cross_user.py
  fails on a member or token URL with an argument and none of `owns`, `own_row`, `shared`);
- `sample`, the literal argument the sweeps put in the path ("csv", "exams");
- `value`, the object of the page sweeps' site whose slug (or the token itself) fills the
  path (tests/e2e/pages.py: "milestone", "resource", "mentor_token"...);
- for the browser sweeps (tests/e2e/pages.py: axe-core at 375 px, the HTML validator),
  every public, member-only and token-based pattern is visited as an HTML page, by
  `shown_to` (default: a visitor and a member for PUBLIC, a member for MEMBER, a visitor for
  TOKEN), unless it says why not: `post_only` (a form posts here; its GET is checked to be
  a 405) or `not_a_page` (a download, JSON, a feed...).

So a new member page with no argument is one line: `"app:name": Url(MEMBER)`; a new page
about a member's own object: `"app:thing": Url(MEMBER, owns="thing")` (and, for a new kind
of object, OWNED_MODELS and the sweeps' one object of that kind).

Classes:
- PUBLIC: anyone may GET it (the home page, the directory, allauth's log-in and sign-up...).
- MEMBER: a visitor is sent to the log-in page; a member sees only their own data.
- STAFF: the admin (staff with a second factor only); a member gets a redirect to the admin
  log-in, a 403 or a 404.
- TOKEN: reached through a secret in the URL (email confirmation, password reset); a wrong
  token reveals nothing and changes nothing.
- REDIRECT: a permanent redirect to a fixed place (the favicon).

POSTs without a CSRF token are refused everywhere except CSRF_EXEMPT (each with its reason).

A pattern is keyed by its name ("namespace:name") or, when it has none, by its full route.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = "public"
MEMBER = "member-only"
STAFF = "staff-only"
TOKEN = "token-based"
REDIRECT = "redirect"

# Who the browser sweeps show a page to (tests/e2e/pages.py signs each one in).
AS_VISITOR = "visitor"
AS_MEMBER = "member"  # Alice: onboarded, with applications, a mentor link
AS_NEWCOMER = "newcomer"  # Nora: verified, not onboarded yet
# Tess: authenticator app, recovery codes, a passkey, an email change pending verification
AS_TWO_FACTOR = "two-factor member"
AS_TWO_FACTOR_STAGE = "two-factor log-in stage"  # has typed Tess's password, not her code
VISITOR_ONLY = (AS_VISITOR,)
MEMBER_ONLY = (AS_MEMBER,)
TWO_FACTOR_ONLY = (AS_TWO_FACTOR,)
TWO_FACTOR_STAGE_ONLY = (AS_TWO_FACTOR_STAGE,)
SHOWN_TO = {PUBLIC: (AS_VISITOR, AS_MEMBER), MEMBER: MEMBER_ONLY, TOKEN: VISITOR_ONLY}

# The member-owned objects a pk in a path can name (`owns`), by model.
OWNED_MODELS = {
    "program": "applications.Program",
    "application": "applications.Application",
    "cost": "applications.CostEntry",
    "interview": "applications.Interview",
    "letter": "applications.Letter",
    "mentor_link": "mentors.MentorLink",
    "passkey": "mfa.Authenticator",
    "notice": "accounts.Notice",
    "proposal": "catalogue.Proposal",
}


@dataclass(frozen=True)
class Url:
    """What the sweeps need to know about one URL pattern (see the module's docstring)."""

    url_class: str
    owns: str = ""
    own_row: tuple[str, str] | tuple[()] = ()
    shared: str = ""
    sample: str = ""
    value: str = ""
    post_only: str = ""
    not_a_page: str = ""
    shown_to: tuple[str, ...] = field(default=())

    def __post_init__(self):
        assert self.owns in ("", *OWNED_MODELS), self.owns
        assert sum(map(bool, (self.owns, self.own_row, self.shared))) <= 1, self
        assert not (self.post_only and self.not_a_page), self

    @property
    def page(self) -> bool:
        """Visited by the browser sweeps as an HTML page."""
        return self.url_class in SHOWN_TO and not (self.post_only or self.not_a_page)

    @property
    def personas(self) -> tuple[str, ...]:
        return self.shown_to or SHOWN_TO.get(self.url_class, ())


# Models registered in the admin: each gets the admin's six standard routes (STAFF).
ADMIN_MODELS = [
    "applications.feeschedule",
    "applications.costestimate",
    "applications.signalallowance",
    "auth.group",
    "account.emailaddress",
    "mfa.authenticator",
    "usersessions.usersession",
    "django_tasks_database.dbtaskresult",
    "pathways.datechange",
    "reminders.sentreminder",
    "reminders.reminderpreference",
    "accounts.user",
    "pathways.milestone",
    "pathways.matchcycle",
    "pathways.rule",
    "pathways.entryrestriction",
    "pathways.progress",
    "resources.resource",
    "resources.problemreport",
    "resources.tag",
    "catalogue.institution",
    "catalogue.catalogueprogram",
    "catalogue.factchange",
    "catalogue.proposal",
    # H-1B evidence from Labor data: files (upload, status), employers, cases, links.
    "lca.lcafile",
    "lca.employer",
    "lca.lcacase",
    "lca.employerlink",
]


def admin_model_routes(label: str) -> dict[str, Url]:
    app, model = label.split(".")
    names = ("changelist", "add", "history", "delete", "change")
    routes = {f"admin:{app}_{model}_{name}": Url(STAFF) for name in names}
    routes[f"admin/{app}/{model}/<path:object_id>/"] = Url(STAFF)  # redirects to the change page
    return routes


URLS: dict[str, Url] = {
    # The site itself
    "home": Url(PUBLIC, shown_to=VISITOR_ONLY),
    "healthz": Url(PUBLIC, not_a_page="JSON for the load balancer"),
    "favicon.ico": Url(REDIRECT),
    # accounts: onboarding, settings, deletion
    "accounts:onboarding": Url(MEMBER),
    "accounts:settings": Url(MEMBER),
    "accounts:delete": Url(MEMBER),
    # pathways: a visitor's preview (GET with the answers in the query string; "keep" is a
    # POST that stores them in the visitor's session for sign-up), then the member's roadmap
    "pathways:preview": Url(PUBLIC),
    "pathways:keep_preview": Url(
        PUBLIC, post_only="the preview's 'keep my answers' form posts here"
    ),
    "pathways:dashboard": Url(MEMBER),
    "pathways:timeline": Url(MEMBER),
    "pathways:exams_so_far": Url(MEMBER),
    "pathways:category": Url(
        MEMBER, shared="a milestone category: the rows shown are the member's own", sample="exams"
    ),
    "pathways:progress": Url(MEMBER, own_row=("milestone", "progress"), value="milestone"),
    "pathways:milestone": Url(MEMBER, own_row=("milestone", "progress"), value="milestone"),
    # resources: the public directory; saving and reporting are for members
    "resources:directory": Url(PUBLIC),
    "resources:detail": Url(PUBLIC, shared="a published resource: public", value="resource"),
    "resources:saved": Url(MEMBER),
    "resources:save": Url(
        MEMBER,
        own_row=("saved_resource", "saved"),
        value="resource",
        post_only="the save/unsave button of a resource",
    ),
    "resources:report": Url(MEMBER, own_row=("reported_resource", "report"), value="resource"),
    # applications: a member's programs, applications, interviews, letters, costs, rank list
    "applications:application": Url(MEMBER, owns="application"),
    "applications:application_delete": Url(
        MEMBER, owns="application", post_only="the detail page's delete button"
    ),
    "applications:application_letters": Url(
        MEMBER, owns="application", post_only="a row's add/remove form on the letters page"
    ),
    "applications:application_new": Url(MEMBER),
    "applications:application_signal": Url(
        MEMBER, owns="application", post_only="a card's signal form"
    ),
    "applications:application_status": Url(
        MEMBER, owns="application", post_only="a card's status form (htmx or plain)"
    ),
    "applications:bulk_status": Url(MEMBER, post_only="the index's bulk status form"),
    "applications:carry_over": Url(MEMBER, post_only="the past cycle's carry-over button"),
    "applications:cost": Url(MEMBER, owns="cost"),
    "applications:cost_delete": Url(MEMBER, owns="cost", post_only="the cost form's delete button"),
    "applications:costs": Url(MEMBER),
    "applications:export": Url(
        MEMBER,
        shared="the file kind (csv or xlsx) of the member's own export",
        sample="csv",
        not_a_page="a CSV/XLSX download",
    ),
    "applications:import": Url(MEMBER),
    "applications:import_confirm": Url(MEMBER, post_only="the import preview's confirm button"),
    "applications:import_sample": Url(MEMBER, not_a_page="a CSV download"),
    "applications:index": Url(MEMBER),
    "applications:interview": Url(MEMBER, owns="interview"),
    "applications:interview_delete": Url(
        MEMBER, owns="interview", post_only="the interview form's delete button"
    ),
    "applications:interviews": Url(MEMBER),
    "applications:letter": Url(MEMBER, owns="letter"),
    "applications:letter_delete": Url(
        MEMBER, owns="letter", post_only="the letter form's delete button"
    ),
    "applications:letters": Url(MEMBER),
    "applications:program": Url(MEMBER, owns="program"),
    "applications:program_delete": Url(
        MEMBER, owns="program", post_only="the program page's delete button"
    ),
    "applications:program_edit": Url(MEMBER, owns="program"),
    "applications:program_new": Url(MEMBER),
    "applications:program_add": Url(
        MEMBER,
        shared="a published catalogue program: the program created is the member's own",
        value="catalogue_program",
        post_only="a catalogue result's 'Add to my programs' button",
    ),
    "applications:program_link": Url(
        MEMBER, owns="program", post_only="'Link my program to this entry' (a name clash)"
    ),
    "applications:program_unlink": Url(
        MEMBER, owns="program", post_only="the program page's 'Unlink from the catalogue'"
    ),
    "applications:programs": Url(MEMBER),
    "applications:rank": Url(MEMBER),
    "applications:rank_export": Url(MEMBER, not_a_page="a CSV download"),
    "applications:rank_move": Url(
        MEMBER, owns="application", post_only="the rank list's up/down/move-to form"
    ),
    "applications:rank_note": Url(
        MEMBER, owns="application", post_only="the rank list's note form"
    ),
    # catalogue: the shared program catalogue for members (curators work in the admin);
    # a member's proposals are theirs alone
    "catalogue:search": Url(MEMBER),
    "catalogue:program": Url(
        MEMBER,
        shared="a published catalogue program: shared by all members",
        value="catalogue_program",
    ),
    "catalogue:correct": Url(
        MEMBER,
        shared="a published catalogue program: the proposal made is the member's own",
        value="catalogue_program",
    ),
    "catalogue:propose": Url(MEMBER),
    "catalogue:proposals": Url(MEMBER),
    "catalogue:proposal": Url(MEMBER, owns="proposal"),
    # accounts: a member's data export
    "accounts:export": Url(MEMBER),
    # accounts: dismissing a dashboard notice (htmx POST; without JavaScript a confirm page)
    "accounts:dismiss_notice": Url(MEMBER, owns="notice"),
    # mentors: a member's read-only links for an adviser; the shared page opens by its token
    "mentors:links": Url(MEMBER),
    "mentors:create": Url(MEMBER),
    # another member's link (or none) is a 404
    "mentors:revoke": Url(
        MEMBER, owns="mentor_link", post_only="the mentor-link list's revoke button"
    ),
    "mentors:shared": Url(TOKEN, value="mentor_token"),
    # reminders: a member's preferences, calendar and planning; the unsubscribe link (from an
    # email) and the calendar feed (a calendar app) are reached by a signed token instead
    "reminders:preferences": Url(MEMBER),
    "reminders:calendar": Url(MEMBER),
    "reminders:calendar_token": Url(
        MEMBER, post_only="the calendar page's make/replace link button"
    ),
    "reminders:match_check": Url(MEMBER),
    "reminders:unsubscribe": Url(TOKEN, value="unsubscribe_token"),
    "reminders:feed": Url(TOKEN, not_a_page="an iCalendar feed for calendar apps"),
    # allauth (account)
    "account_login": Url(PUBLIC, shown_to=VISITOR_ONLY),
    # a visitor is sent home; a member sees a confirmation (POST)
    "account_logout": Url(PUBLIC, shown_to=MEMBER_ONLY),
    "account_inactive": Url(PUBLIC),
    "account_signup": Url(PUBLIC, shown_to=VISITOR_ONLY),
    "account_reauthenticate": Url(MEMBER),
    "account_email": Url(MEMBER),
    "account_email_verification_sent": Url(PUBLIC),
    "account_change_password": Url(MEMBER),
    "account_set_password": Url(
        MEMBER,
        not_a_page="only for an account without a password (none here: "
        "sign-up takes a password); a member is redirected to change password, which is swept",
    ),
    "account_reset_password": Url(PUBLIC),
    "account_reset_password_done": Url(PUBLIC),
    # only shows a form during a pending code log-in
    "account_confirm_login_code": Url(
        PUBLIC, not_a_page="log-in by emailed code is off; a GET redirects to log in"
    ),
    "account_confirm_email": Url(
        TOKEN,
        shared="allauth's email key (test_url_sweep: wrong tokens)",
        value="confirm_email_key",
    ),
    "account_reset_password_from_key": Url(
        TOKEN, shared="allauth's reset key (test_url_sweep: wrong tokens)", value="reset_key"
    ),
    "account_reset_password_from_key_done": Url(PUBLIC),
    # allauth (mfa): a member's second factors; the two log-in stages are public
    "mfa_index": Url(MEMBER),
    # only shows a form during a pending two-factor log-in
    "mfa_authenticate": Url(PUBLIC, shown_to=TWO_FACTOR_STAGE_ONLY),
    "mfa_reauthenticate": Url(MEMBER, shown_to=TWO_FACTOR_ONLY),
    "mfa_activate_totp": Url(MEMBER),
    "mfa_deactivate_totp": Url(MEMBER, shown_to=TWO_FACTOR_ONLY),
    "mfa_view_recovery_codes": Url(MEMBER, shown_to=TWO_FACTOR_ONLY),
    "mfa_generate_recovery_codes": Url(MEMBER, shown_to=TWO_FACTOR_ONLY),
    "mfa_download_recovery_codes": Url(
        MEMBER, not_a_page="a text download (its page, view recovery codes, is swept)"
    ),
    "mfa_list_webauthn": Url(MEMBER),
    "mfa_add_webauthn": Url(MEMBER),
    "mfa_reauthenticate_webauthn": Url(MEMBER, shown_to=TWO_FACTOR_ONLY),
    # another member's key (or none) is a 404
    "mfa_remove_webauthn": Url(MEMBER, owns="passkey", shown_to=TWO_FACTOR_ONLY),
    "mfa_edit_webauthn": Url(MEMBER, owns="passkey", shown_to=TWO_FACTOR_ONLY),
    # log-in with a passkey alone
    "mfa_login_webauthn": Url(
        PUBLIC,
        not_a_page="POST only: the log-in page's 'Sign in with a passkey' button; a GET "
        "redirects to the log-in page",
    ),
    # allauth (usersessions): a member's signed-in devices
    "usersessions_list": Url(MEMBER),
    # The admin (curators and superusers)
    "admin:index": Url(STAFF),
    "curation-review": Url(STAFF),  # the curators' review queue, behind the admin's own gate
    "admin:login": Url(STAFF),  # hands visitors to allauth's log-in (rate limits, second factor)
    "admin:logout": Url(STAFF),
    "admin:password_change": Url(STAFF),
    "admin:password_change_done": Url(STAFF),
    "admin:autocomplete": Url(STAFF),
    "admin:jsi18n": Url(STAFF),
    "admin:view_on_site": Url(STAFF),
    "admin:app_list": Url(STAFF),
    "admin/(?P<url>.*)$": Url(STAFF),  # the admin's catch-all (log-in redirect or 404)
    "admin:auth_user_password_change": Url(STAFF),
    "admin:resources_resource_import": Url(STAFF),
    "admin:resources_resource_process_import": Url(STAFF),
    "admin:resources_resource_export": Url(STAFF),
    # The curators' import of catalogue programs (upload and preview, confirm) and the
    # export in the same layout (catalogue/admin_import.py)
    "admin:catalogue_catalogueprogram_import": Url(STAFF),
    "admin:catalogue_catalogueprogram_import_confirm": Url(STAFF),
    "admin:catalogue_catalogueprogram_export": Url(STAFF, sample="csv"),
    # One LCA employer: its counts, suggested institutions, Confirm / Reject (POST).
    "admin:lca_employer_link": Url(STAFF),
}
# The only patterns that take a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    "reminders:unsubscribe": "RFC 8058 one-click unsubscribe: mail clients post without a "
    "session or token; a signed token in the URL gates it and it can only switch reminders off",
}

for _label in ADMIN_MODELS:
    URLS.update(admin_model_routes(_label))

# Each pattern's class, by key.
URL_CLASSES: dict[str, str] = {key: url.url_class for key, url in URLS.items()}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its key in URL_CLASSES, its full route and the pattern itself."""

    key: str
    route: str
    name: str | None
    pattern: URLPattern

    @property
    def url_class(self) -> str | None:
        return URL_CLASSES.get(self.key)

    @property
    def entry(self) -> Url:
        """The pattern's registry entry (KeyError names the pattern missing from URLS)."""
        return URLS[self.key]

    @property
    def arguments(self) -> list[str]:
        """The names of the path's arguments (converters and regex groups), in order."""
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URLPattern under the root URLconf, recursively (admin and allauth included)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(key=name or route, route=route, name=name, pattern=entry)


def all_routes() -> list[Route]:
    return list(walk())


def keys_where(test) -> dict[str, Url]:
    """The registry's entries for which test(entry) holds, by key."""
    return {key: url for key, url in URLS.items() if test(url)}


def progress_route() -> str:
    """The progress edit route (`roadmap/m/<slug:slug>/progress/`): tests build its URLs here."""
    return next(r.route for r in walk() if r.name == "pathways:progress")


def progress_path(value) -> str:
    """The progress URL with `value` (a milestone slug, or garbage) in its one parameter."""
    return "/" + re.sub(r"<(\w+:)?\w+>", str(value), progress_route())


def progress_url(progress) -> str:
    """A member's own progress URL: by its milestone's slug."""
    return progress_path(progress.milestone.slug)
