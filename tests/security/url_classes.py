"""Every URL pattern of the project, classified. The sweeps in this folder walk the resolver
and fail on any pattern that is not listed here, naming its route: a new URL must be put in
one class (and so gets that class's checks) before the suite passes again.

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
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = "public"
MEMBER = "member-only"
STAFF = "staff-only"
TOKEN = "token-based"
REDIRECT = "redirect"

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
]


def admin_model_routes(label: str) -> dict[str, str]:
    app, model = label.split(".")
    names = ("changelist", "add", "history", "delete", "change")
    routes = {f"admin:{app}_{model}_{name}": STAFF for name in names}
    routes[f"admin/{app}/{model}/<path:object_id>/"] = STAFF  # redirects to the change page
    return routes


URL_CLASSES: dict[str, str] = {
    # The site itself
    "home": PUBLIC,
    "healthz": PUBLIC,
    "favicon.ico": REDIRECT,
    # accounts: onboarding, settings, deletion
    "accounts:onboarding": MEMBER,
    "accounts:settings": MEMBER,
    "accounts:delete": MEMBER,
    # pathways: a visitor's preview (GET with the answers in the query string; "keep" is a
    # POST that stores them in the visitor's session for sign-up), then the member's roadmap
    "pathways:preview": PUBLIC,
    "pathways:keep_preview": PUBLIC,
    "pathways:dashboard": MEMBER,
    "pathways:timeline": MEMBER,
    "pathways:exams_so_far": MEMBER,
    "pathways:category": MEMBER,
    "pathways:progress": MEMBER,
    "pathways:milestone": MEMBER,
    # resources: the public directory; saving and reporting are for members
    "resources:directory": PUBLIC,
    "resources:detail": PUBLIC,
    "resources:saved": MEMBER,
    "resources:save": MEMBER,
    "resources:report": MEMBER,
    # applications: a member's programs, applications, interviews, letters, costs, rank list
    "applications:application": MEMBER,
    "applications:application_delete": MEMBER,
    "applications:application_new": MEMBER,
    "applications:application_signal": MEMBER,
    "applications:application_status": MEMBER,
    "applications:bulk_status": MEMBER,
    "applications:carry_over": MEMBER,
    "applications:cost": MEMBER,
    "applications:cost_delete": MEMBER,
    "applications:costs": MEMBER,
    "applications:export": MEMBER,
    "applications:import": MEMBER,
    "applications:import_confirm": MEMBER,
    "applications:import_sample": MEMBER,
    "applications:index": MEMBER,
    "applications:interview": MEMBER,
    "applications:interview_delete": MEMBER,
    "applications:interviews": MEMBER,
    "applications:letter": MEMBER,
    "applications:letter_delete": MEMBER,
    "applications:letters": MEMBER,
    "applications:program": MEMBER,
    "applications:program_delete": MEMBER,
    "applications:program_edit": MEMBER,
    "applications:program_new": MEMBER,
    "applications:programs": MEMBER,
    "applications:rank": MEMBER,
    "applications:rank_export": MEMBER,
    "applications:rank_move": MEMBER,
    "applications:rank_note": MEMBER,
    # accounts: a member's data export
    "accounts:export": MEMBER,
    # mentors: a member's read-only links for an adviser; the shared page opens by its token
    "mentors:links": MEMBER,
    "mentors:create": MEMBER,
    "mentors:revoke": MEMBER,  # another member's link (or none) is a 404
    "mentors:shared": TOKEN,
    # reminders: a member's preferences, calendar and planning; the unsubscribe link (from an
    # email) and the calendar feed (a calendar app) are reached by a signed token instead
    "reminders:preferences": MEMBER,
    "reminders:calendar": MEMBER,
    "reminders:calendar_token": MEMBER,
    "reminders:match_check": MEMBER,
    "reminders:unsubscribe": TOKEN,
    "reminders:feed": TOKEN,
    # allauth (account)
    "account_login": PUBLIC,
    "account_logout": PUBLIC,  # a visitor is sent home; a member sees a confirmation (POST)
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_reauthenticate": MEMBER,
    "account_email": MEMBER,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": MEMBER,
    "account_set_password": MEMBER,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_confirm_login_code": PUBLIC,  # only shows a form during a pending code log-in
    "account_confirm_email": TOKEN,
    "account_reset_password_from_key": TOKEN,
    "account_reset_password_from_key_done": PUBLIC,
    # allauth (mfa): a member's second factors; the two log-in stages are public
    "mfa_index": MEMBER,
    "mfa_authenticate": PUBLIC,  # only shows a form during a pending two-factor log-in
    "mfa_reauthenticate": MEMBER,
    "mfa_activate_totp": MEMBER,
    "mfa_deactivate_totp": MEMBER,
    "mfa_view_recovery_codes": MEMBER,
    "mfa_generate_recovery_codes": MEMBER,
    "mfa_download_recovery_codes": MEMBER,
    "mfa_list_webauthn": MEMBER,
    "mfa_add_webauthn": MEMBER,
    "mfa_reauthenticate_webauthn": MEMBER,
    "mfa_remove_webauthn": MEMBER,  # another member's key (or none) is a 404
    "mfa_edit_webauthn": MEMBER,
    "mfa_login_webauthn": PUBLIC,  # log-in with a passkey alone
    # allauth (usersessions): a member's signed-in devices
    "usersessions_list": MEMBER,
    # The admin (curators and superusers)
    "admin:index": STAFF,
    "curation-review": STAFF,  # the curators' review queue, behind the admin's own gate
    "admin:login": STAFF,  # hands visitors to allauth's log-in (rate limits, second factor)
    "admin:logout": STAFF,
    "admin:password_change": STAFF,
    "admin:password_change_done": STAFF,
    "admin:autocomplete": STAFF,
    "admin:jsi18n": STAFF,
    "admin:view_on_site": STAFF,
    "admin:app_list": STAFF,
    "admin/(?P<url>.*)$": STAFF,  # the admin's catch-all (log-in redirect or 404)
    "admin:auth_user_password_change": STAFF,
    "admin:resources_resource_import": STAFF,
    "admin:resources_resource_process_import": STAFF,
    "admin:resources_resource_export": STAFF,
}
# The only patterns that take a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    "reminders:unsubscribe": "RFC 8058 one-click unsubscribe: mail clients post without a "
    "session or token; a signed token in the URL gates it and it can only switch reminders off",
}

for _label in ADMIN_MODELS:
    URL_CLASSES.update(admin_model_routes(_label))


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


def progress_route() -> str:
    """The progress edit route (`roadmap/m/<slug:slug>/progress/`): tests build its URLs here."""
    return next(r.route for r in walk() if r.name == "pathways:progress")


def progress_path(value) -> str:
    """The progress URL with `value` (a milestone slug, or garbage) in its one parameter."""
    return "/" + re.sub(r"<(\w+:)?\w+>", str(value), progress_route())


def progress_url(progress) -> str:
    """A member's own progress URL: by its milestone's slug."""
    return progress_path(progress.milestone.slug)
