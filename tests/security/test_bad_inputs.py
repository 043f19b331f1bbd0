"""The bad-input catalogue: malicious and malformed inputs sent through the real forms, htmx
endpoints, query strings and the admin's CSV import (shared/SECURITY.md's list, and more).

Every case: no 5xx; never live markup (a payload's `<` comes back escaped) nor a
`javascript:` link. A REJECTED case also gets a clear error message and changes nothing (the
target's rows and the count of every table). An INERT case may be accepted, but is stored and
shown as plain text, and fields a form does not list are ignored.

To cover a new form: add a Target (how to send, what to snapshot, where the value shows) to
TARGETS and its cases to CASES.
"""

import datetime
import html
import importlib
import inspect
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.forms.models import model_to_dict
from django.test import Client, override_settings

from accounts.models import Profile, User
from applications.models import Program
from catalogue.models import Institution, Proposal
from lca.models import Employer, EmployerLink, LcaFile
from mentors.models import MentorLink
from pathways.models import Progress
from reminders.models import ReminderPreference
from resources.models import ProblemReport, Resource
from tests import workbooks
from tests.factories import make_application, make_catalogue_program
from tests.lca.files import case as lca_case
from tests.lca.files import workbook as lca_workbook
from tests.security.conftest import project_app_configs, row_counts
from tests.security.url_classes import progress_path, progress_url

REJECTED, INERT = "rejected", "inert"
PASSWORD = "a-Long-enough-passphrase-73"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LIVE_LINK = re.compile(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", re.IGNORECASE)


@dataclass
class Target:
    """A form (or query string, or importer) under attack."""

    send: Callable  # (clients, site, data) -> response
    base: dict = field(default_factory=dict)  # valid data the case's fields override
    snapshot: Callable = lambda site: None  # the target's state, compared when REJECTED
    shows: Callable = lambda clients, site: []  # pages where a stored value is displayed


MILESTONE_RECORDING = {"score": "step-2-ck", "pass_fail": "step-1", "oet": "oet"}


def progress_of(site, records: str) -> Progress:
    """Alice's progress on a curated milestone that records `records`."""
    slug = MILESTONE_RECORDING[records]
    return Progress.objects.get(user=site["member"], milestone__slug=slug)


def send_progress(records: str, htmx: bool) -> Callable:
    def send(clients, site, data):
        headers = {"HX-Request": "true"} if htmx else {}
        url = progress_url(progress_of(site, records))
        return clients["member"].post(url, data, headers=headers)

    return send


def progress_state(records: str) -> Callable:
    return lambda site: model_to_dict(progress_of(site, records))


def progress_pages(records: str) -> Callable:
    return lambda clients, site: [
        clients["member"].get("/roadmap/"),
        clients["member"].get(progress_url(progress_of(site, records))),
    ]


def send_to_url(url_of: Callable, htmx: bool = False) -> Callable:
    """A URL-level attack: the case's data carries the id to put in the URL."""

    def send(clients, site, data):
        headers = {"HX-Request": "true"} if htmx else {}
        url = url_of(site, data.pop("id"))
        return clients["member"].post(url, data, headers=headers)

    return send


def send_exams_so_far(clients, site, data):
    """Onboarding's second step, as Carla: an onboarded member (and curator) with no exam
    recorded yet (the form asks only for the exams a member has no row for)."""
    return clients["staff"].post("/roadmap/exams/", data)


def send_report(clients, site, data):
    url = f"/resources/{site['resource'].slug}/report/"
    return clients["member"].post(url, data, headers={"HX-Request": "true"})


def send_directory(clients, site, data):
    return clients["visitor"].get("/resources/", data)


PREVIEW_ANSWERS = {
    "graduation_year": "2022",
    "specialty": "Internal Medicine",
    "match_year": "2028",
    "visa": "j1",
}


def send_preview(clients, site, data):
    """A visitor's preview: the answers in the query string (a GET form)."""
    return clients["visitor"].get("/roadmap/preview/", data)


def send_keep_preview(clients, site, data):
    """Keeping the preview's answers for sign-up: a POST that writes only the session."""
    return clients["visitor"].post("/roadmap/preview/keep/", data)


REMINDER_PREFS = {
    "enabled": "on",
    "frequency": "each",
    "days_30": "on",
    "cycle_deadlines": "on",
    "planned_dates": "on",
}


def send_what_if(clients, site, data):
    """'Can I still make Match Y?': assumptions in the query string (a GET form)."""
    return clients["member"].get("/reminders/can-i-match/", data)


def send_signup(clients, site, data):
    return clients["visitor"].post("/accounts/signup/", data)


def send_reset_password(clients, site, data):
    return clients["visitor"].post("/accounts/password/reset/", data)


def send_add_email(clients, site, data):
    return clients["member"].post("/accounts/email/", {"action_add": "", **data})


IMPORT_HEADERS = [
    "slug", "title", "organisation", "category", "summary", "description", "url", "cost",
    "eligibility", "location", "tags", "milestones", "published", "last_reviewed", "needs_review",
]  # fmt: skip
IMPORT_ROW = {
    "slug": "imported-resource",
    "title": "Imported resource",
    "organisation": "AAMC",
    "category": "match",
    "summary": "A summary.",
    "description": "",
    "url": "https://www.aamc.org/",
    "cost": "free",
    "eligibility": "",
    "location": "Online",
    "tags": "eras",
    "milestones": "match",
    "published": "1",
    "last_reviewed": "2025-12-01",
    "needs_review": "0",
}


def csv_bytes(row: dict) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(IMPORT_HEADERS), ",".join(cell(row.get(h, "")) for h in IMPORT_HEADERS)]
    return ("\r\n".join(lines) + "\r\n").encode()


def send_import(clients, site, data):
    """The admin's import: upload (dry run with a preview); when valid, confirm it."""
    raw = data.pop("_raw", None)
    content = raw if raw is not None else csv_bytes({**IMPORT_ROW, **data})
    upload = SimpleUploadedFile("resources.csv", content, content_type="text/csv")
    staff = clients["staff"]
    form = {"resource": "0", "format": "0", "import_file": upload}
    response = staff.post("/admin/resources/resource/import/", form)
    page = response.content.decode()
    if response.status_code != 200 or 'name="import_file_name"' not in page:
        return response
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    confirm = {k: html.unescape(v) for k, v in hidden.items() if k != "csrfmiddlewaretoken"}
    return staff.post("/admin/resources/resource/process_import/", confirm)


def send_lca_upload(clients, site, data):
    """The curators' upload of an LCA file (the import itself runs later, in the worker)."""
    name = data.pop("_name", "LCA_Disclosure_Data_2025-10-01.xlsx")
    raw = data.pop("_raw", None)
    content = raw if raw is not None else lca_workbook([lca_case("I-200-25001-000001")])
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    with tempfile.TemporaryDirectory() as where, override_settings(LCA_UPLOAD_DIR=Path(where)):
        return clients["staff"].post("/admin/lca/lcafile/add/", {"upload": upload, **data})


def imported(clients, site):
    resource = Resource.objects.filter(slug="imported-resource").first()
    if resource is None:
        return []
    return [
        clients["visitor"].get(f"/resources/{resource.slug}/"),
        clients["visitor"].get("/resources/?q=imported"),
    ]


CATALOGUE_ROW = {
    "institution": "Example General Hospital",
    "name": "Example General Internal Medicine",
    "specialty": "Internal Medicine",
    "state": "IL",
    "acgme_id": "BENCH-0001",
    "nrmp_code": "BENCH-N-0001",
    "program_url": "https://example.org/im",
    "sponsors_h1b": "yes",
    "sponsors_h1b_source": "https://example.org/visas",
    "sponsors_h1b_checked_on": "2026-11-01",
}


CATALOGUE = "catalogue-import"
NOTE_FACT = {
    "note": SCRIPT,
    "note_source": "https://example.org/n",
    "note_checked_on": "2026-11-01",
}


def send_catalogue_import(clients, site, data):
    """The curators' catalogue import (catalogue/admin_import.py): upload (the preview);
    when it offers the import, confirm it."""
    raw = data.pop("_raw", None)
    name = data.pop("_name", "catalogue.csv")
    if raw is None:
        row = {**CATALOGUE_ROW, **data}
        lines = [",".join(row), ",".join('"' + v.replace('"', '""') + '"' for v in row.values())]
        raw = ("\r\n".join(lines) + "\r\n").encode()
    staff = clients["staff"]
    upload = SimpleUploadedFile(name, raw) if isinstance(raw, bytes) else raw  # a workbook
    response = staff.post("/admin/catalogue/catalogueprogram/import/", {"file": upload})
    if response.status_code != 200 or "/import/confirm/" not in response.content.decode():
        return response
    return staff.post("/admin/catalogue/catalogueprogram/import/confirm/")


def catalogue_state(site):
    from catalogue.models import CatalogueProgram, Fact

    return (
        sorted(CatalogueProgram.objects.values_list("acgme_id", "name", "program_url")),
        sorted(Fact.objects.values_list("kind", "value", "source_url")),
    )


def catalogue_pages(clients, site):
    from catalogue.models import CatalogueProgram

    return [clients["staff"].get("/admin/catalogue/catalogueprogram/")] + [
        clients["staff"].get(f"/admin/catalogue/catalogueprogram/{pk}/change/")
        for pk in CatalogueProgram.objects.values_list("pk", flat=True)
    ]


TARGETS = {
    "profile": Target(
        send=lambda c, site, data: c["member"].post("/me/settings/", data),
        base={
            "school_country": "India",
            "school_name": "Example Medical College",
            "graduation_year": "2024",
            "specialty": "Internal Medicine",
            "match_year": "2028",
            "visa": "j1",
        },
        snapshot=lambda site: model_to_dict(Profile.objects.get(user=site["member"])),
        shows=lambda c, site: [c["member"].get("/me/settings/"), c["member"].get("/roadmap/")],
    ),
    "exams-so-far": Target(
        send=send_exams_so_far,
        snapshot=lambda site: sorted(Progress.objects.values_list("pk", "status", "score")),
    ),
    "progress-score": Target(
        send=send_progress("score", htmx=False),
        base={"status": "in_progress", "attempts": "0", "notes": ""},
        snapshot=progress_state("score"),
        shows=progress_pages("score"),
    ),
    "progress-score-htmx": Target(
        send=send_progress("score", htmx=True),
        base={"status": "in_progress", "attempts": "0", "notes": ""},
        snapshot=progress_state("score"),
        shows=progress_pages("score"),
    ),
    "progress-oet-htmx": Target(
        send=send_progress("oet", htmx=True),
        base={"status": "in_progress", "notes": ""},
        snapshot=progress_state("oet"),
    ),
    "progress-pass-fail": Target(
        send=send_progress("pass_fail", htmx=False),
        base={"status": "in_progress", "attempts": "0", "notes": ""},
        snapshot=progress_state("pass_fail"),
    ),
    "progress-url": Target(
        send=send_to_url(lambda site, value: progress_path(value)),
        base={"status": "done", "notes": "forged"},
        snapshot=lambda site: sorted(Progress.objects.values_list("pk", "status", "notes")),
    ),
    "progress-url-htmx": Target(
        send=send_to_url(lambda site, value: progress_path(value), htmx=True),
        base={"status": "done", "notes": "forged"},
        snapshot=lambda site: sorted(Progress.objects.values_list("pk", "status", "notes")),
    ),
    "report": Target(
        send=send_report,
        base={"kind": "broken_link", "message": "The link returns 404."},
        snapshot=lambda site: ProblemReport.objects.count(),
        shows=lambda c, site: (
            [c["staff"].get("/admin/resources/problemreport/")]
            + [
                c["staff"].get(f"/admin/resources/problemreport/{r.pk}/change/")
                for r in ProblemReport.objects.all()
            ]
        ),
    ),
    "delete-account": Target(
        send=lambda c, site, data: c["member"].post("/me/delete/", data),
        base={"password": "correct-horse-battery-42", "confirm": "on"},
        snapshot=lambda site: User.objects.filter(pk=site["member"].pk).exists(),
    ),
    "directory": Target(send=send_directory, snapshot=lambda site: None),
    "preview": Target(send=send_preview, base=PREVIEW_ANSWERS),
    "keep-preview": Target(send=send_keep_preview, base=PREVIEW_ANSWERS),
    "reminder-prefs": Target(
        send=lambda c, site, data: c["member"].post("/reminders/", data),
        base=REMINDER_PREFS,
        snapshot=lambda site: list(
            ReminderPreference.objects.filter(user=site["member"]).values_list()
        ),
        shows=lambda c, site: [c["member"].get("/reminders/")],
    ),
    "what-if": Target(send=send_what_if),
    "mentor-link": Target(
        send=lambda c, site, data: c["member"].post("/me/mentor-links/new/", data),
        base={"label": "My adviser", "expires_on": "", "include_notes": ""},
        snapshot=lambda site: list(MentorLink.objects.values_list("label", "expires_on")),
        shows=lambda c, site: [c["member"].get("/me/mentor-links/")],
    ),
    "signup": Target(
        send=send_signup,
        base={"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD},
        snapshot=lambda site: sorted(User.objects.values_list("email", flat=True)),
    ),
    "reset-password": Target(
        send=send_reset_password,
        base={"email": "alice@example.com"},
        snapshot=lambda site: len(mail.outbox),
    ),
    "add-email": Target(
        send=send_add_email,
        base={"email": "alice.second@example.com"},
        snapshot=lambda site: sorted(
            EmailAddress.objects.filter(user=site["member"]).values_list("email", flat=True)
        ),
    ),
    "lca-upload": Target(
        send=send_lca_upload,
        snapshot=lambda site: sorted(LcaFile.objects.values_list("original_name", "status")),
        shows=lambda c, site: [c["staff"].get("/admin/lca/lcafile/")],
    ),
    "lca-decision": Target(
        send=lambda c, site, data: c["staff"].post(
            f"/admin/lca/employer/{data.pop('_employer')}/link/", data
        ),
        base={
            "_employer": lambda site: (
                Employer.objects.get_or_create(
                    normalised_name="sweep hospital",
                    state="NY",
                    defaults={"name": "Sweep Hospital"},
                )[0].pk
            ),
            "institution": lambda site: (
                Institution.objects.get_or_create(name="Sweep Hospital", state="NY")[0].pk
            ),
            "decision": "confirmed",
        },
        snapshot=lambda site: sorted(EmployerLink.objects.values_list("pk", "decision")),
    ),
    "import": Target(
        send=send_import,
        snapshot=lambda site: sorted(Resource.objects.values_list("slug", "title", "url")),
        shows=imported,
    ),
    "catalogue-import": Target(
        send=send_catalogue_import, snapshot=catalogue_state, shows=catalogue_pages
    ),
}


# --- The application season (applications/) ---------------------------------------------


def season_of(site) -> dict:
    """Alice's program and application, made once (on the first snapshot, before counting)."""
    from applications.models import Application

    application = Application.objects.filter(user=site["member"]).first()
    if application is None:
        application = make_application(site["member"], status="interviewed")
    return {"application": application, "program": application.program}


def season_state(site) -> list:
    from applications.models import Application, CostEntry, Interview, Letter, Program

    season_of(site)
    member = site["member"]
    return [
        sorted(model.objects.filter(user=member).values_list())
        for model in (Program, Application, Interview, Letter, CostEntry)
    ]


def send_season(path: str, htmx: bool = False) -> Callable:
    """POST to an applications URL; `{pk}` is Alice's application."""

    def send(clients, site, data):
        url = path.format(pk=season_of(site)["application"].pk)
        headers = {"HX-Request": "true"} if htmx else {}
        return clients["member"].post(url, data, headers=headers)

    return send


def get_season(path: str) -> Callable:
    return lambda clients, site, data: clients["member"].get(path, data)


def send_upload(clients, site, data):
    return clients["member"].post("/applications/import/", data)


NOT_UTF8 = b"\xff\xfe\x00bad"
STALE = "This page is out of date: reload it"
UNPACKS = "The workbook unpacks to more than 24 MB"
CELL = "Row 2 has a cell of 20,000 characters; the limit is 10,000."
GIANT_CELL = b"program_name,specialty,title,slug\n" + b"G" * 20_000 + b",x,y,z\n"


def xlsx_upload(make: Callable) -> Callable:
    """An upload field value: the workbook `make()` builds (tests/workbooks.py)."""
    return lambda site: SimpleUploadedFile("sheet.xlsx", make())


SEASON_TARGETS = {
    "program": Target(send=send_season("/applications/programs/new/"), snapshot=season_state),
    "program-filter": Target(send=get_season("/applications/programs/")),
    "new-application": Target(send=send_season("/applications/new/"), snapshot=season_state),
    "status": Target(
        send=send_season("/applications/a/{pk}/status/", htmx=True), snapshot=season_state
    ),
    "application": Target(send=send_season("/applications/a/{pk}/"), snapshot=season_state),
    "bulk-status": Target(send=send_season("/applications/bulk-status/"), snapshot=season_state),
    "application-filter": Target(send=get_season("/applications/")),
    "cost": Target(send=send_season("/applications/costs/"), snapshot=season_state),
    "signal": Target(send=send_season("/applications/a/{pk}/signal/"), snapshot=season_state),
    "rank-note": Target(
        send=send_season("/applications/a/{pk}/rank-note/"),
        snapshot=season_state,
        shows=lambda c, site: [c["member"].get("/applications/rank/")],
    ),
    "rank-move": Target(
        send=send_season("/applications/a/{pk}/rank/", htmx=True), snapshot=season_state
    ),
    "interview": Target(send=send_season("/applications/interviews/"), snapshot=season_state),
    "letter": Target(send=send_season("/applications/letters/"), snapshot=season_state),
    "letter-assign": Target(
        send=send_season("/applications/a/{pk}/letters/", htmx=True), snapshot=season_state
    ),
    "upload": Target(send=send_upload, snapshot=season_state),
}


# --- The program catalogue in the admin (curators) --------------------------------------

CATALOGUE_SOURCE = "https://example.org/program/visas"


def catalogue_of(site) -> dict:
    """A catalogue program and Alice's open correction of it, made once (on the first
    snapshot, before counting)."""
    from catalogue.models import CatalogueProgram, Proposal

    program = CatalogueProgram.objects.filter(acgme_id="1409999999").first()
    if program is None:
        program = make_catalogue_program(acgme_id="1409999999", nrmp_code="9999140C0")
        Proposal.objects.create(
            user=site["member"],
            program=program,
            kind="sponsors_h1b",
            value="yes",
            source_url=CATALOGUE_SOURCE,
        )
    return {"program": program, "proposal": program.proposals.get()}


def catalogue_state(site) -> list:
    from catalogue.models import Fact, FactChange, Proposal

    catalogue_of(site)
    return [
        sorted(Fact.objects.values_list("kind", "value", "source_url", "checked_on")),
        FactChange.objects.count(),
        sorted(Proposal.objects.values_list("status", "value", "curator_note")),
    ]


def send_fact(clients, site, data):
    """The program's admin page with one new fact row (`data`: the row's fields)."""
    program = catalogue_of(site)["program"]
    form = {
        "name": program.name,
        "specialty": program.specialty,
        "institution": program.institution_id,
        "city": program.city,
        "state": program.state,
        "acgme_id": program.acgme_id,
        "nrmp_code": program.nrmp_code,
        "published": "on",
        "facts-TOTAL_FORMS": "1",
        "facts-INITIAL_FORMS": "0",
        "fact_changes-TOTAL_FORMS": "0",
        "fact_changes-INITIAL_FORMS": "0",
        "facts-0-program": program.pk,
        **{f"facts-0-{key}": value for key, value in data.items()},
    }
    url = f"/admin/catalogue/catalogueprogram/{program.pk}/change/"
    return clients["staff"].post(url, form)


def send_proposal_review(clients, site, data):
    """The proposal's admin page: Accept (or `_action`: "_reject") with the edited fields."""
    proposal = catalogue_of(site)["proposal"]
    action = data.pop("_action", "_accept")
    url = f"/admin/catalogue/proposal/{proposal.pk}/change/"
    return clients["staff"].post(url, {**data, action: "1"})


def catalogue_pages(clients, site) -> list:
    catalogue = catalogue_of(site)
    return [
        clients["staff"].get(
            f"/admin/catalogue/catalogueprogram/{catalogue['program'].pk}/change/"
        ),
        clients["staff"].get(f"/admin/catalogue/proposal/{catalogue['proposal'].pk}/change/"),
        clients["staff"].get("/admin/catalogue/factchange/"),
        clients["staff"].get("/admin/review/"),
    ]


CATALOGUE_TARGETS = {
    "catalogue-fact": Target(
        send=send_fact,
        base={
            "kind": "sponsors_j1",
            "value": "yes",
            "source_url": CATALOGUE_SOURCE,
            "checked_on": "2026-11-20",
        },  # fmt: skip
        snapshot=catalogue_state,
        shows=catalogue_pages,
    ),
    "proposal-review": Target(
        send=send_proposal_review,
        base={"value": "yes", "curator_note": ""},
        snapshot=catalogue_state,
        shows=catalogue_pages,
    ),
}


def in_days(days: int):
    """A date `days` from today, computed when the case runs."""
    return lambda site: (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


STEP2CS = {"has_step2cs": "on", "step2cs_month": "11", "step2cs_year": "2019"}


TARGETS.update(SEASON_TARGETS)
TARGETS.update(CATALOGUE_TARGETS)


def catalogue_url(site, suffix: str = "") -> str:
    return f"/catalogue/{site['catalogue_program'].pk}/{suffix}"


def proposals_state(site):
    return sorted(Proposal.objects.values_list("pk", "kind", "value", "name"))


CATALOGUE_TARGETS = {
    "catalogue-search": Target(send=lambda c, site, data: c["member"].get("/catalogue/", data)),
    "correction": Target(
        send=lambda c, site, data: c["member"].post(catalogue_url(site, "correct/"), data),
        base={"kind": "sponsors_h1b", "value": "yes", "source_url": "https://example.org/v"},
        snapshot=proposals_state,
        shows=lambda c, site: [c["member"].get("/catalogue/proposals/")],
    ),
    "new-program": Target(
        send=lambda c, site, data: c["member"].post("/catalogue/propose/", data),
        base={
            "institution_name": "Riverside Health",
            "name": "Riverside Family Medicine",
            "specialty": "Family Medicine",
            "city": "Camden",
            "state": "NJ",
            "source_url": "https://example.org/fm",
        },
        snapshot=proposals_state,
        shows=lambda c, site: [c["member"].get("/catalogue/proposals/")],
    ),
    "catalogue-add": Target(
        send=send_to_url(lambda site, value: f"/applications/programs/add/{value}/", htmx=True),
        snapshot=lambda site: sorted(Program.objects.values_list("pk", "catalogue_id")),
    ),
}
TARGETS.update(CATALOGUE_TARGETS)


@dataclass
class Case:
    target: str
    data: dict
    expect: str
    message: str = ""  # expected in the answer (REJECTED); HTML entities are decoded first
    status: int = 200

    @property
    def id(self) -> str:
        shown = ",".join(f"{k}={str(v)[:24]!r}" for k, v in self.data.items())
        return f"{self.target}:{shown[:60]}"


WHOLE = "Enter a whole number."
CHOICE = "Select a valid choice."
DATE = "Enter a valid date."
REQUIRED = "This field is required."
NUL = "Null characters are not allowed."
SCORE = "A USMLE score is between 1 and 300."
OET = "An OET sub-score is between 0 and 500."
CS_GONE = "Step 2 CS was suspended in March 2020"

CASES = [
    # --- Profile (onboarding and settings share the form) ---------------------------------
    Case("profile", {"citizenship": "XX"}, REJECTED, CHOICE),
    Case("profile", {"time_zone": "EST"}, REJECTED, "is not a time zone we know"),
    Case("profile", {"time_zone": "US/Eastern"}, REJECTED, "Did you mean America/New_York?"),
    Case("profile", {"time_zone": SCRIPT}, REJECTED, "is not a time zone we know"),
    Case("profile", {"time_zone": "Africa/Cairo" * 10}, REJECTED, "at most 64 characters"),
    Case("profile", {"citizenship": "NG' OR 1=1--"}, REJECTED, CHOICE),
    # --- Onboarding's exams already passed ---------------------------------------------
    Case("exams-so-far", {"step-2-ck_on": "2099-01-01"}, REJECTED, "up to today"),
    Case("exams-so-far", {"step-2-ck_on": "0001-01-01"}, REJECTED, "up to today"),
    Case("exams-so-far", {"step-2-ck_on": "2025-02-30"}, REJECTED, "Enter a valid date."),
    Case("exams-so-far", {"step-2-ck_score": "240"}, REJECTED, "Enter the day you passed"),
    Case("exams-so-far", {"step-2-ck_on": "2024-05-01", "step-2-ck_score": "999"}, REJECTED),
    Case("exams-so-far", {"step-2-ck_on": "2024-05-01", "step-2-ck_score": "1e3"}, REJECTED),
    Case("exams-so-far", {"step-2-ck_on": "2024-05-01", "step-2-ck_score": "150"}, REJECTED),
    Case("profile", {"school_name": SCRIPT}, INERT),
    Case("profile", {"specialty": IMG}, INERT),
    Case("profile", {"school_country": "{{ 7*7 }}{% debug %}"}, INERT),
    Case("profile", {"specialty": '"><svg onload=alert(1)>'}, INERT),
    Case("profile", {"school_name": "x\" hx-get=\"/admin/\" hx-trigger=\"load"}, INERT),
    Case("profile", {"school_name": "' OR 1=1--"}, INERT),
    Case("profile", {"school_name": "\u202egnp.exe  \u200b"}, INERT),
    Case("profile", {"user": "2", "onboarded_at": "2000-01-01", "id": "999"}, INERT),
    Case("profile", {"graduation_year": "abc"}, REJECTED, WHOLE),
    Case("profile", {"graduation_year": "-5"}, REJECTED, "greater than or equal to 0"),
    Case("profile", {"graduation_year": "1e3"}, REJECTED, WHOLE),
    Case("profile", {"graduation_year": "2024.5"}, REJECTED, WHOLE),
    Case("profile", {"graduation_year": "99999999999999999999999"}, REJECTED, "no later than"),
    Case("profile", {"graduation_year": ""}, REJECTED, REQUIRED),
    Case("profile", {"match_year": "2020"}, REJECTED, "Match is already over"),
    Case("profile", {"match_year": "3000"}, REJECTED, "no later than"),
    Case("profile", {"match_year": "0"}, REJECTED, "already over"),
    Case("profile", {"graduation_year": "2030", "match_year": "2028"}, REJECTED, "cannot be"),
    Case("profile", {"visa": "H1B'--"}, REJECTED, CHOICE),
    Case("profile", {"visa": "step9"}, REJECTED, CHOICE),
    Case("profile", {"school_name": "x" * 201}, REJECTED, "at most 200 characters"),
    Case("profile", {"school_name": "Med\x00School"}, REJECTED, NUL),
    Case("profile", {"school_country": "   "}, REJECTED, REQUIRED),
    # Step 2 CS: month and year of a former pass (the exam stopped in March 2020)
    Case("profile", {**STEP2CS, "step2cs_month": "4", "step2cs_year": "2020"}, REJECTED, CS_GONE),
    Case("profile", {**STEP2CS, "step2cs_year": "2031"}, REJECTED, CS_GONE),
    Case("profile", {**STEP2CS, "step2cs_month": "13"}, REJECTED, CHOICE),
    Case("profile", {**STEP2CS, "step2cs_month": "0"}, REJECTED, CHOICE),
    Case("profile", {**STEP2CS, "step2cs_month": "March"}, REJECTED, CHOICE),
    Case("profile", {**STEP2CS, "step2cs_year": "19x9"}, REJECTED, WHOLE),
    Case("profile", {**STEP2CS, "step2cs_year": "1066"}, REJECTED, "year you passed Step 2 CS"),
    Case("profile", {**STEP2CS, "step2cs_year": "9" * 30}, REJECTED, CS_GONE),
    Case("profile", {**STEP2CS, "step2cs_month": ""}, REJECTED, "Choose the month"),
    Case("profile", {**STEP2CS, "step2cs_year": ""}, REJECTED, "Enter the year you passed"),
    # --- Progress: score milestone, plain and htmx -----------------------------------------
    Case("progress-score", {"notes": SCRIPT}, INERT),
    Case("progress-score-htmx", {"notes": IMG}, INERT),
    Case("progress-score-htmx", {"notes": '{{ 7*7 }} hx-get="/admin/" hx-trigger="load"'}, INERT),
    Case("progress-score-htmx", {"notes": "[x](JaVaScRiPt:alert(1)) <iframe src=//evil>"}, INERT),
    Case("progress-score-htmx", {"notes": "=HYPERLINK(\"https://evil.example\")"}, INERT),
    Case("progress-score-htmx", {"user": "2", "milestone": "1", "outcome": "passed"}, INERT),
    Case("progress-score-htmx", {"score": "999", "completed_date": "2025-06-01"}, REJECTED, SCORE),
    Case("progress-score-htmx", {"score": "-5", "completed_date": "2025-06-01"}, REJECTED, SCORE),
    Case("progress-score-htmx", {"score": "1e3", "completed_date": "2025-06-01"}, REJECTED, WHOLE),
    Case("progress-score", {"score": "240.5", "completed_date": "2025-06-01"}, REJECTED, WHOLE),
    Case("progress-score-htmx", {"score": "240"}, REJECTED, "Enter your test date"),
    Case("progress-score-htmx", {"status": "step9"}, REJECTED, CHOICE),
    Case("progress-score-htmx", {"status": "done'--"}, REJECTED, CHOICE),
    Case("progress-score-htmx", {"status": ""}, REJECTED, REQUIRED),
    Case("progress-score-htmx", {"attempts": "-1"}, REJECTED, "greater than or equal to 0"),
    Case("progress-score-htmx", {"attempts": "11"}, REJECTED, "less than or equal to 10"),
    Case("progress-score-htmx", {"attempts": "7"}, REJECTED, "never allowed more than 6"),
    Case("progress-score-htmx", {"planned_date": "0001-01-01"}, REJECTED, "from 1960 onwards"),
    Case("progress-score-htmx", {"planned_date": "9999-12-31"}, REJECTED, "no later than 2100"),
    Case("progress-score", {"planned_date": "2025-02-30"}, REJECTED, DATE),
    Case("progress-score-htmx", {"planned_date": "2025-13-01"}, REJECTED, DATE),
    Case("progress-score-htmx", {"planned_date": "tomorrow"}, REJECTED, DATE),
    Case("progress-score-htmx", {"completed_date": "2099-01-01"}, REJECTED, "in the future"),
    Case("progress-score-htmx", {"notes": "x" * 1_000_000}, REJECTED, "at most 5000 characters"),
    Case("progress-score-htmx", {"notes": "a\x00b"}, REJECTED, NUL),
    Case("progress-score-htmx", {f"f{n}": "x" for n in range(10_000)}, REJECTED, status=400),
    Case("progress-oet-htmx", {"oet_listening": "501"}, REJECTED, OET),
    Case("progress-oet-htmx", {"oet_writing": "-1"}, REJECTED, OET),
    Case("progress-pass-fail", {"status": "done", "outcome": "failed"}, REJECTED, "marked done"),
    Case("progress-pass-fail", {"outcome": "maybe"}, REJECTED, CHOICE),
    # --- Progress: slugs in the URL that name no milestone of the member's road ------------
    # (Another member's row has no address: the slug names a milestone, the row is the
    # member's own; test_another_members_progress_is_out_of_reach.)
    Case("progress-url", {"id": "no-such-milestone"}, REJECTED, status=404),
    Case("progress-url-htmx", {"id": "no-such-milestone"}, REJECTED, status=404),
    Case("progress-url", {"id": "0"}, REJECTED, status=404),
    Case("progress-url", {"id": "-1"}, REJECTED, status=404),
    Case("progress-url", {"id": "abc"}, REJECTED, status=404),
    Case("progress-url", {"id": "99999999999999999999"}, REJECTED, status=404),
    # --- Problem report (htmx) ------------------------------------------------------------
    Case("report", {"message": SCRIPT + IMG}, INERT),
    Case("report", {"message": "javascript:alert(1)"}, INERT),
    Case("report", {"user": "2", "resource": "1", "resolved": "on"}, INERT),
    Case("report", {"kind": "step9"}, REJECTED, CHOICE),
    Case("report", {"kind": "broken_link'--"}, REJECTED, CHOICE),
    Case("report", {"kind": ""}, REJECTED, REQUIRED),
    Case("report", {"message": "x" * 1001}, REJECTED, "at most 1000 characters"),
    Case("report", {"message": "\x00"}, REJECTED, NUL),
    # --- Account deletion (asks for the password again) -----------------------------------
    Case("delete-account", {"password": "wrong-password"}, REJECTED, "not your password"),
    Case("delete-account", {"password": ""}, REJECTED, REQUIRED),
    Case("delete-account", {"confirm": ""}, REJECTED, REQUIRED),
    Case("delete-account", {"password": "' OR 1=1--"}, REJECTED, "not your password"),
    Case("delete-account", {"password": "x" * 100_000}, REJECTED, "not your password"),
    # --- Directory query string -----------------------------------------------------------
    Case("directory", {"q": "' OR 1=1--"}, INERT),
    Case("directory", {"q": SCRIPT}, INERT),
    Case("directory", {"q": "\"><img src=x onerror=alert(1)>"}, INERT),
    Case("directory", {"q": "%_\\"}, INERT),
    Case("directory", {"q": "a\x00b"}, INERT),
    Case("directory", {"q": "x" * 10_000}, INERT),
    Case("directory", {"q": "visa & | ! :* <-> ("}, INERT),
    Case("directory", {"category": "astrology"}, INERT),
    Case("directory", {"cost": "'; DROP TABLE resources_resource;--"}, INERT),
    Case("directory", {"tag": "../../etc/passwd"}, INERT),
    Case("directory", {"location": SCRIPT}, INERT),
    Case("directory", {"page": "-1"}, INERT),
    Case("directory", {"page": "abc"}, INERT),
    Case("directory", {"page": "99999999999999999999"}, INERT),
    Case("directory", {"next": "//evil.example", "q": "javascript:alert(1)"}, INERT),
    # --- The visitor's preview (GET query string) and keeping its answers (POST) -----------
    Case("preview", {"specialty": SCRIPT}, INERT),
    Case("preview", {"specialty": IMG + '"><svg onload=alert(1)>'}, INERT),
    Case("preview", {"specialty": '{{ 7*7 }} hx-get="/admin/" hx-trigger="load"'}, INERT),
    Case("preview", {"specialty": "' OR 1=1--"}, INERT),
    Case("preview", {"school_name": SCRIPT, "user": "1", "next": "//evil.example"}, INERT),
    Case("preview", {"graduation_year": "abc"}, REJECTED, WHOLE),
    Case("preview", {"graduation_year": "-5"}, REJECTED, "greater than or equal to 0"),
    Case("preview", {"graduation_year": "1e3"}, REJECTED, WHOLE),
    Case("preview", {"graduation_year": "9" * 30}, REJECTED, "no later than"),
    Case("preview", {"graduation_year": ""}, REJECTED, REQUIRED),
    Case("preview", {"match_year": "2020"}, REJECTED, "Match is already over"),
    Case("preview", {"match_year": "3000"}, REJECTED, "no later than"),
    Case("preview", {"graduation_year": "2030", "match_year": "2028"}, REJECTED, "cannot be"),
    Case("preview", {"visa": "H1B'--"}, REJECTED, CHOICE),
    Case("preview", {"visa": SCRIPT}, REJECTED, CHOICE),
    Case("preview", {"visa": ""}, REJECTED, REQUIRED),
    Case("preview", {**STEP2CS, "step2cs_month": "4", "step2cs_year": "2020"}, REJECTED, CS_GONE),
    Case("preview", {**STEP2CS, "step2cs_month": "12", "step2cs_year": "2024"}, REJECTED, CS_GONE),
    Case("preview", {**STEP2CS, "step2cs_month": "13"}, REJECTED, CHOICE),
    Case("preview", {**STEP2CS, "step2cs_year": "abc"}, REJECTED, WHOLE),
    Case("preview", {"specialty": "x" * 10_000}, REJECTED, "at most 100 characters"),
    Case("preview", {"specialty": "a\x00b"}, REJECTED, status=400),
    Case("keep-preview", {"specialty": SCRIPT}, INERT),
    Case("keep-preview", {"match_year": "2020"}, REJECTED, "Match is already over"),
    Case("keep-preview", {**STEP2CS, "step2cs_year": "2021"}, REJECTED, CS_GONE),
    # --- Reminder settings (POST) and "Can I still make Match Y?" (GET what-ifs) -----------
    Case("reminder-prefs", {"frequency": "hourly"}, REJECTED, CHOICE),
    Case("reminder-prefs", {"frequency": SCRIPT}, REJECTED, CHOICE),
    Case("reminder-prefs", {"days_30": ""}, REJECTED, "Choose at least one time"),
    Case("reminder-prefs", {"user": "2", "id": "1", "days_2": "on"}, INERT),
    Case("what-if", {"year": "1999"}, INERT),
    Case("what-if", {"year": SCRIPT}, INERT),
    Case("what-if", {"fail_exam": "step-9", "fail_on": "2027-01-10"}, INERT),
    Case("what-if", {"fail_exam": "step-1"}, INERT),
    Case("what-if", {"fail_exam": "step-1", "fail_on": "9999-12-31"}, INERT),
    Case("what-if", {"diploma_on": "2025-02-30"}, INERT),
    Case("what-if", {"diploma_on": "0001-01-01", "needs_h1b": IMG}, INERT),
    # --- Mentor links (a member's read-only roadmap for an adviser) ------------------------
    Case("mentor-link", {"label": SCRIPT, "expires_on": in_days(30)}, INERT),
    Case("mentor-link", {"label": IMG, "expires_on": in_days(30), "user": "2"}, INERT),
    Case("mentor-link", {"label": "   ", "expires_on": in_days(30)}, REJECTED, REQUIRED),
    Case("mentor-link", {"label": "x" * 500, "expires_on": in_days(30)}, REJECTED, "at most"),
    Case("mentor-link", {"expires_on": "2020-01-01"}, REJECTED, "today or a later day"),
    Case("mentor-link", {"expires_on": "9999-12-31"}, REJECTED, "at most"),
    Case("mentor-link", {"expires_on": "2025-02-30"}, REJECTED, DATE),
    Case("mentor-link", {"expires_on": in_days(30), "label": "a\x00b"}, REJECTED, NUL),
    # --- The application season --------------------------------------------------------
    Case("program", {"name": "", "specialty": "Internal Medicine"}, REJECTED, REQUIRED),
    Case("program", {"name": "X", "step2ck_minimum": "abc"}, REJECTED, WHOLE),
    Case("program", {"name": "Versioned", "specialty": "IM", "version": "abc"}, REJECTED, STALE),
    Case("program", {"name": "Versioned", "specialty": "IM", "version": "-1"}, REJECTED, STALE),
    Case("program", {"name": "X", "program_url": "javascript:alert(1)"}, REJECTED),
    Case("program-filter", {"fit": SCRIPT, "sort": "' OR 1=1--"}, INERT),
    Case("new-application", {"program": "abc", "cycle": "2027"}, REJECTED),
    Case("new-application", {"program": "99999999", "cycle": "abc"}, REJECTED),
    Case("status", {"status": SCRIPT, "version": "1"}, INERT),
    Case("application", {"status": "applied", "changed_on": "2025-02-30"}, REJECTED, DATE),
    Case("bulk-status", {"ids": "abc", "status": "nope"}, REJECTED, status=302),
    Case("application-filter", {"status": SCRIPT, "cycle": "1e3"}, INERT),
    Case("cost", {"category": "travel", "description": "Bus", "amount": "abc"}, REJECTED),
    Case("cost", {"category": "travel", "amount": "10", "date": "2025-02-30"}, REJECTED, DATE),
    Case("signal", {"signal": "platinum"}, REJECTED, status=302),
    Case("rank-note", {"rank_note": SCRIPT}, INERT),
    Case("rank-move", {"direction": "to", "position": "abc"}, REJECTED, WHOLE),
    Case("rank-move", {"direction": "sideways", "was": "1"}, REJECTED, CHOICE),
    Case("rank-move", {"direction": "to", "position": "-3"}, REJECTED, "greater than or equal"),
    Case("rank-move", {"direction": "up", "was": "1e9"}, REJECTED, WHOLE),
    Case("application-filter", {"q": SCRIPT, "fit": "' OR 1=1--"}, INERT),
    Case("interview", {"date": "2025-02-30", "start_time": "09:00"}, REJECTED),
    Case("interview", {"application": "abc", "time_zone": "Mars/Olympus"}, REJECTED),
    Case("interview", {"time_zone": "US/Eastern"}, REJECTED, "Enter the IANA name"),
    Case(
        "interview",
        {"date": "2026-03-08", "start_time": "02:30", "time_zone": "America/New_York"},
        REJECTED,
        "02:30 does not exist on 8 March 2026",
    ),
    Case("interview", {"later_of_two": "both"}, REJECTED, CHOICE),
    Case("letter", {"writer": "", "requested_on": "2025-02-30"}, REJECTED),
    Case("letter-assign", {"letter": "abc", "action": "add"}, REJECTED, "Choose one of your"),
    Case("letter-assign", {"letter": "99999999", "action": SCRIPT}, REJECTED, "Choose one of your"),
    Case("upload", {"file": lambda site: SimpleUploadedFile("x.csv", NOT_UTF8)}, REJECTED),
    # Workbooks that answered 500 or took a worker down (issue 20, items 2 and 3).
    *(
        Case("upload", {"file": xlsx_upload(make)}, REJECTED, "not a readable .xlsx workbook")
        for make in workbooks.MALFORMED.values()
    ),
    *(
        Case("upload", {"file": xlsx_upload(lambda bomb=bomb: bomb(30))}, REJECTED, UNPACKS)
        for bomb in (workbooks.one_cell_bomb, workbooks.shared_strings_bomb)
    ),
    Case("upload", {"file": lambda site: SimpleUploadedFile("x.csv", GIANT_CELL)}, REJECTED, CELL),
    Case("import", {"_raw": GIANT_CELL}, REJECTED, CELL),
    # --- The program catalogue ------------------------------------------------------------
    Case("catalogue-search", {"q": "' OR 1=1--"}, INERT),
    Case("catalogue-search", {"q": SCRIPT}, INERT),
    Case("catalogue-search", {"q": "metro & | ! :* <-> ("}, INERT),
    Case("catalogue-search", {"q": "a\x00b"}, INERT),
    Case("catalogue-search", {"q": "x" * 10_000}, INERT),
    Case("catalogue-search", {"specialty": SCRIPT, "state": "'; DROP TABLE x;--"}, INERT),
    Case("catalogue-search", {"page": "99999999999999999999"}, INERT),
    Case("correction", {"value": SCRIPT}, REJECTED, 'Enter "yes", "no" or "unknown".'),
    Case("correction", {"kind": "note", "value": SCRIPT + IMG}, INERT),
    Case("correction", {"kind": "step2ck_minimum", "value": "1e3"}, REJECTED, "whole number"),
    Case("correction", {"kind": "step2ck_minimum", "value": "-5"}, REJECTED, "whole number"),
    Case("correction", {"kind": "step9"}, REJECTED, CHOICE),
    Case("correction", {"kind": "note", "value": "x" * 2001}, REJECTED, "at most 2000"),
    Case("correction", {"source_url": "javascript:alert(1)"}, REJECTED, "Enter a valid URL"),
    Case("correction", {"source_url": "ftp://example.org/x"}, REJECTED, "starting with https://"),
    Case("correction", {"source_url": ""}, REJECTED, REQUIRED),
    Case("correction", {"comment": "a\x00b"}, REJECTED, NUL),
    Case("correction", {"user": "2", "status": "accepted", "program": "999"}, INERT),
    Case("new-program", {"name": ""}, REJECTED, REQUIRED),
    Case("new-program", {"name": SCRIPT, "institution_name": IMG}, INERT),
    Case("new-program", {"source_url": "data:text/html,x"}, REJECTED, "Enter a valid URL"),
    Case("new-program", {"acgme_id": "x" * 30}, REJECTED, "at most 20"),
    Case("catalogue-add", {"id": "0"}, REJECTED, status=404),
    Case("catalogue-add", {"id": "99999999999"}, REJECTED, status=404),
    # --- Sign-up and adding an email address (allauth forms with our canonical addresses) --
    Case("signup", {"email": SCRIPT + "@example.com"}, REJECTED, "valid email"),
    Case("signup", {"email": "alice@example.com\x00"}, REJECTED),
    Case("signup", {"email": "alice@ex\u0101mple.com"}, REJECTED, "look like"),
    Case("signup", {"email": "alice@xn--exmple-4za.com"}, REJECTED, "look like"),
    Case("signup", {"email": "x" * 300 + "@example.com"}, REJECTED),
    Case("signup", {"password2": "something-else-entirely-9"}, REJECTED, "same password"),
    Case("signup", {"password1": "short", "password2": "short"}, REJECTED, "too short"),
    Case("reset-password", {"email": SCRIPT + "@example.com"}, REJECTED, "valid email"),
    Case("reset-password", {"email": "alice@example.com\x00"}, REJECTED),
    Case("reset-password", {"email": "\u0430lice@example.com"}, REJECTED, "look like"),
    Case("reset-password", {"email": "x" * 300 + "@example.com"}, REJECTED),
    Case("add-email", {"email": IMG}, REJECTED, "valid email"),
    Case("add-email", {"email": "javascript:alert(1)//@example.com"}, REJECTED),
    Case("add-email", {"email": "a\x00@example.com"}, REJECTED),
    # --- The admin's CSV import of resources ------------------------------------------------
    # --- The curators' upload of an LCA file, and their employer decisions -------------------
    Case("lca-upload", {"_raw": b"CASE_NUMBER,CASE_STATUS\r\nI-1,Certified\r\n"}, REJECTED,
         "not a readable .xlsx workbook"),
    Case("lca-upload", {"_raw": b"\x00\xff" * 500}, REJECTED, "not a readable .xlsx workbook"),
    Case("lca-upload", {"_raw": b""}, REJECTED, "The submitted file is empty"),
    Case("lca-upload", {"_name": "lca-2025-10-01.csv"}, REJECTED, "not CSV"),
    Case("lca-upload", {"_name": "LCA_FY2025_Q4.xlsx"}, REJECTED, "its name holds none"),
    Case("lca-upload", {"file_date": "2025-02-30"}, REJECTED, "Enter a valid date"),
    Case("lca-upload", {"file_date": SCRIPT}, REJECTED, "Enter a valid date"),
    Case("lca-upload", {"_name": IMG + "2025-10-01.xlsx"}, INERT),
    Case("lca-decision", {"institution": "abc"}, REJECTED, "Choose an institution"),
    Case("lca-decision", {"institution": "-1"}, REJECTED, "Choose an institution"),
    Case("lca-decision", {"institution": SCRIPT}, REJECTED, "Choose an institution"),
    Case("lca-decision", {"decision": "H1B'--"}, REJECTED, "Choose an institution"),
    Case("lca-decision", {"decision": ""}, REJECTED, "Choose an institution"),
    Case("import", {"url": "javascript:alert(1)"}, REJECTED, "Enter a valid URL"),
    Case("import", {"url": "data:text/html,<script>alert(1)</script>"}, REJECTED, "valid URL"),
    Case("import", {"url": "JaVaScRiPt:alert(1)"}, REJECTED, "Enter a valid URL"),
    Case("import", {"category": "astrology"}, REJECTED, "astrology"),
    Case("import", {"milestones": "no-such-milestone"}, REJECTED, "Unknown milestone"),
    Case("import", {"last_reviewed": "2025-02-30"}, REJECTED, "last_reviewed"),
    Case("import", {"title": ""}, REJECTED, "title"),
    Case("import", {"title": "x" * 1000}, REJECTED, "at most"),
    Case("import", {"title": "Bad\x00title"}, REJECTED, "holds binary data"),  # read_csv
    Case("import", {"tags": "x" * 80}, REJECTED, "Invalid tag name"),
    Case("import", {"_raw": b"\xff\xfe\x00garbage\x00"}, REJECTED),
    Case("import", {"_raw": b""}, REJECTED),
    Case(
        "import",
        {"_raw": b"not,the,right,headers\r\n1,2,3,4\r\n"},
        REJECTED,
        "are not present in the file headers: slug",
    ),
    Case("import", {"title": SCRIPT, "summary": IMG}, INERT),
    Case("import", {"title": "=HYPERLINK(\"https://evil.example\")"}, INERT),
    # --- The program catalogue in the admin: a curator's fact, a proposal's review ---------
    Case("catalogue-fact", {"value": "maybe"}, REJECTED, 'Enter "yes", "no" or "unknown".'),
    Case("catalogue-fact", {"kind": "step1_minimum", "value": "1e3"}, REJECTED, "whole number"),
    Case("catalogue-fact", {"kind": "astrology"}, REJECTED, CHOICE),
    Case("catalogue-fact", {"source_url": "javascript:alert(1)"}, REJECTED, "Enter a valid URL"),
    Case("catalogue-fact", {"source_url": ""}, REJECTED, "needs the page it comes from"),
    Case("catalogue-fact", {"checked_on": ""}, REJECTED, "needs the date it was checked"),
    Case("catalogue-fact", {"checked_on": "2025-02-30"}, REJECTED, DATE),
    Case("catalogue-fact", {"kind": "note", "value": "a\x00b"}, REJECTED, NUL),
    Case("catalogue-fact", {"kind": "note", "value": "x" * 2001}, REJECTED, "at most 2000"),
    Case("catalogue-fact", {"kind": "note", "value": SCRIPT + IMG}, INERT),
    Case("proposal-review", {"value": "perhaps"}, REJECTED, 'Enter "yes", "no" or "unknown".'),
    Case("proposal-review", {"value": SCRIPT}, REJECTED, 'Enter "yes", "no" or "unknown".'),
    Case("proposal-review", {"_action": "_reject"}, REJECTED, "Say why it is rejected"),
    Case("proposal-review", {"_action": "_reject", "curator_note": "x" * 1001}, REJECTED),
    Case("proposal-review", {"_action": "_reject", "curator_note": SCRIPT}, INERT),
    # --- The curators' import of catalogue programs ----------------------------------------
    Case(CATALOGUE, {"sponsors_h1b_source": "javascript:alert(1)"}, REJECTED, "web address"),
    Case(CATALOGUE, {"program_url": "JaVaScRiPt:alert(1)"}, REJECTED, "program_url"),
    Case(CATALOGUE, {"sponsors_h1b_source": ""}, REJECTED, "needs the page it comes from"),
    Case(CATALOGUE, {"sponsors_h1b_checked_on": "2025-02-30"}, REJECTED, "not a date"),
    Case(CATALOGUE, {"sponsors_h1b": "maybe"}, REJECTED, 'Enter "yes", "no"'),
    Case(CATALOGUE, {"step1_minimum": "1e9"}, REJECTED, "whole number from 1 to 300"),
    Case(CATALOGUE, {"name": "x" * 1000}, REJECTED, "name: at most 200 characters"),
    Case(CATALOGUE, {"name": "Bad\x00name"}, REJECTED, "holds binary data"),
    Case(CATALOGUE, {"name": "=HYPERLINK(\"https://evil.example\")"}, REJECTED, "Formula"),
    Case(CATALOGUE, {"acgme_id": "", "nrmp_code": ""}, REJECTED, "give at least one"),
    Case(CATALOGUE, {"_raw": NOT_UTF8}, REJECTED, "not UTF-8"),
    Case(CATALOGUE, {"_raw": b""}, REJECTED, "The submitted file is empty"),
    Case(CATALOGUE, {"_raw": GIANT_CELL}, REJECTED, CELL),
    Case(CATALOGUE, {"_raw": b"name,visa\r\nA,B\r\n"}, REJECTED, "unknown column(s): visa"),
    Case(CATALOGUE, {"_raw": b"x", "_name": "x.pdf"}, REJECTED, "Upload a .csv or .xlsx"),
    Case(CATALOGUE, {"_raw": b"PK\x03\x04junk", "_name": "x.xlsx"}, REJECTED, "not a readable"),
    *(
        Case(CATALOGUE, {"_raw": xlsx_upload(lambda b=bomb: b(30))}, REJECTED, UNPACKS)
        for bomb in (workbooks.one_cell_bomb, workbooks.shared_strings_bomb)
    ),
    Case(CATALOGUE, {"name": SCRIPT, "institution": IMG, **NOTE_FACT}, INERT),
    Case(CATALOGUE, {"name": "'=HYPERLINK(\"https://evil.example\")"}, INERT),
]  # fmt: skip


@pytest.fixture
def clients(site):
    member, curator = site["member"], site["curator"]
    visitor, member_client, staff = Client(), Client(), Client()
    member_client.force_login(member)
    staff.force_login(curator)
    return {"visitor": visitor, "member": member_client, "staff": staff}


def assert_inert(response, payloads: list[str], where: str) -> None:
    """No payload comes back as live markup, and no link uses a script scheme."""
    assert response.status_code < 500, where
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    page = response.content.decode()
    for payload in payloads:
        if "<" in payload or '"' in payload:
            assert payload not in page, f"{where}: rendered unescaped: {payload[:60]!r}"
    assert not LIVE_LINK.search(page), f"{where}: a script link is rendered"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case, site, clients):
    target = TARGETS[case.target]
    data = {**target.base, **case.data}
    data = {k: (v(site) if callable(v) else v) for k, v in data.items()}
    payloads = [v for v in data.values() if isinstance(v, str)]
    state, counts = target.snapshot(site), row_counts()

    response = target.send(clients, site, data)

    assert response.status_code < 500
    assert_inert(response, payloads, "answer")
    if case.expect == REJECTED:
        assert response.status_code == case.status
        assert target.snapshot(site) == state, "a rejected input changed the target"
        assert row_counts() == counts, "a rejected input changed rows"
        text = html.unescape(response.content.decode())
        if case.message:
            assert case.message in text, f"no clear message {case.message!r}"
        elif case.status == 200:
            assert "errorlist" in text, "no error shown next to a field"
    else:
        for page in target.shows(clients, site):
            assert_inert(page, payloads, page.wsgi_request.path)


def test_fields_a_form_does_not_list_are_ignored(site, clients):
    """`user=`, `milestone=`, `resolved=` posted alongside valid data change nothing else."""
    member, other = site["member"], site["other_member"]
    clients["member"].post("/me/settings/", {**TARGETS["profile"].base, "user": other.pk})
    assert Profile.objects.get(user=member).match_year == 2028
    assert Profile.objects.filter(user=other).count() == 1
    send_report(clients, site, {"kind": "wrong", "user": other.pk, "resolved": "on"})
    report = ProblemReport.objects.get()
    assert report.user == member and report.resolved_at is None


def test_another_members_progress_is_out_of_reach(site, clients):
    """Progress URLs name a milestone, and the row is always the member's own: Alice saving a
    milestone Bob has a row for changes her row, never his."""
    bob_rows = sorted(Progress.objects.filter(user=site["other_member"]).values_list())
    slug = Progress.objects.filter(user=site["other_member"]).first().milestone.slug
    data = {"status": "done", "attempts": "0", "notes": "mine"}
    for headers in ({}, {"HX-Request": "true"}):
        response = clients["member"].post(progress_path(slug), data, headers=headers)
        assert response.status_code in (200, 302)
    assert sorted(Progress.objects.filter(user=site["other_member"]).values_list()) == bob_rows
    assert Progress.objects.get(user=site["member"], milestone__slug=slug).notes == "mine"


# Every form class of the project, and the catalogue targets that attack it. A new form fails
# test_every_form_is_in_the_catalogue until it has a Target and cases here.
FORMS_COVERED = {
    "accounts.forms.ProfileForm": ["profile"],
    "accounts.forms.SettingsForm": ["profile"],  # the settings page's form: the profile target
    "accounts.forms.DeleteAccountForm": ["delete-account"],
    "accounts.forms.PreviewForm": ["preview", "keep-preview"],
    "accounts.forms.SignupForm": ["signup"],
    "accounts.forms.AddEmailForm": ["add-email"],
    "accounts.forms.ResetPasswordForm": ["reset-password"],
    "reminders.forms.ReminderPreferenceForm": ["reminder-prefs"],
    "reminders.forms.WhatIfForm": ["what-if"],
    "mentors.forms.MentorLinkForm": ["mentor-link"],
    "pathways.forms.ProgressForm": ["progress-score", "progress-oet-htmx", "progress-pass-fail"],
    "pathways.forms.ExamsSoFarForm": ["exams-so-far"],
    "resources.forms.ResourceFilterForm": ["directory"],
    "resources.forms.ProblemReportForm": ["report"],
    "catalogue.forms.CatalogueSearchForm": ["catalogue-search"],
    "catalogue.forms.CorrectionForm": ["correction"],
    "catalogue.forms.NewProgramForm": ["new-program"],
    "applications.forms.ProgramForm": ["program"],
    "applications.forms.VersionedForm": ["program"],  # the base of the edit forms
    "applications.forms.ProgramFilterForm": ["program-filter"],
    "applications.forms.NewApplicationForm": ["new-application"],
    "applications.forms.StatusForm": ["status"],
    "applications.forms.ApplicationForm": ["application"],
    "applications.forms.BulkStatusForm": ["bulk-status"],
    "applications.forms.ApplicationFilterForm": ["application-filter"],
    "applications.forms.CostEntryForm": ["cost"],
    "applications.forms.SignalForm": ["signal"],
    "applications.forms.RankNoteForm": ["rank-note"],
    "applications.forms.RankMoveForm": ["rank-move"],
    "applications.forms.InterviewForm": ["interview"],
    "applications.forms.LetterForm": ["letter"],
    "applications.forms.NewLetterForm": ["letter"],
    "applications.forms.LetterAssignForm": ["letter-assign"],
    "applications.forms.UploadForm": ["upload"],
    # The catalogue's admin forms (not found by project_forms: they live in catalogue/admin.py)
    "catalogue.admin.FactForm": ["catalogue-fact"],
    "catalogue.admin.ProposalForm": ["proposal-review"],
    "lca.forms.LcaUploadForm": ["lca-upload"],
    "lca.forms.DecisionForm": ["lca-decision"],
}


def project_forms() -> set[str]:
    """Form classes defined in the project's apps' forms modules (found, not listed)."""
    found = set()
    for config in project_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseForm)
                and value.__module__ == module.__name__
            ):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_form_is_in_the_catalogue():
    missing = sorted(project_forms() - set(FORMS_COVERED))
    assert not missing, f"Forms with no bad-input cases (add a Target and Cases): {missing}"
    for targets in FORMS_COVERED.values():
        assert all(any(c.target == t for c in CASES) for t in targets), targets


def test_the_catalogue_is_big_enough():
    assert len(CASES) >= 60
    assert {case.target for case in CASES} == set(TARGETS)
