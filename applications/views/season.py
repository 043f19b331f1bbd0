"""What every page of the season reads first, and the one answer to a write into a past cycle.

`season_of` loads the member's season (profile, today, current and shown cycle). Access and
editability of each object kind live in one helper each (`get_application`,
`get_interview`, `get_cost_entry`, `get_letter`, `get_program`): another member's object is a
404, and given `editable_in=season` an object of a past cycle raises `pipeline.ReadOnly`, which
`@refuses_past_cycles` turns into the same answer on every write view.
"""

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Profile
from accounts.spreadsheets import shorten
from lib.dates import member_today
from pathways.roadmap import member_profile

from .. import pipeline
from ..forms import ApplicationFilterForm
from ..models import Application, CostEntry, Interview, Letter, Program


@dataclass(frozen=True)
class Season:
    """The member's season as one request sees it."""

    profile: Profile | None
    today: datetime.date
    current: int  # the member's Match year (editable)
    cycle: int  # the cycle the page shows (?cycle=, else the current one)

    @property
    def read_only(self) -> bool:
        return self.is_read_only(self.cycle)

    def is_read_only(self, cycle: int) -> bool:
        return pipeline.is_read_only(cycle, self.current)

    def check_editable(self, cycle: int | None = None) -> None:
        """Raise `pipeline.ReadOnly` when `cycle` (default: the shown one) is past."""
        pipeline.check_editable(self.cycle if cycle is None else cycle, self.current)


def season_of(request: HttpRequest) -> Season:
    """The member's season; the shown cycle comes from a valid `?cycle=`."""
    return season_for(request, member_profile(request.user))


def content_token(season: Season) -> str | None:
    """The curated content's token, read with the member's profile (None: read it apart)."""
    return getattr(season.profile, "content_token", None)


def season_for(
    request: HttpRequest, profile: Profile | None, form: ApplicationFilterForm | None = None
) -> Season:
    """The season of a profile already read (season_cache.versioned_profile reads it);
    `form`: the request's filter form when the view already built it."""
    today = member_today(profile)
    current = pipeline.current_cycle(profile, today)
    form = form or ApplicationFilterForm(request.GET)
    cycle = (form.is_valid() and form.cleaned_data["cycle"]) or current
    return Season(profile=profile, today=today, current=current, cycle=cycle)


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment of a long list (a history restore needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def cycle_url(cycle: int, anchor: str = "", *, page: str = "applications:index") -> str:
    return reverse(page) + f"?cycle={cycle}" + (f"#{anchor}" if anchor else "")


def refuses_past_cycles(page: str) -> Callable:
    """A write view decorated so names the page a refusal returns to: `pipeline.ReadOnly`
    raised anywhere in it answers with the reason as a message on that page of the cycle
    (htmx: the browser is sent there). Nothing was written: the checks run before any write."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except pipeline.ReadOnly as refusal:
                messages.error(request, str(refusal))
                url = cycle_url(refusal.cycle, page=page)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

        return wrapper

    return decorator


# --- One helper per object kind: scoped to the member, checked for editability ----------


def get_application(
    request: HttpRequest, pk: int, *, editable_in: Season | None = None
) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("program"), pk=pk, user=request.user
    )
    if editable_in is not None:
        editable_in.check_editable(application.cycle)
    return application


def get_interview(request: HttpRequest, pk: int, *, editable_in: Season | None = None) -> Interview:
    interview = get_object_or_404(
        Interview.objects.select_related("application__program"), pk=pk, user=request.user
    )
    if editable_in is not None:
        editable_in.check_editable(interview.application.cycle)
    return interview


def get_cost_entry(
    request: HttpRequest, pk: int, *, editable_in: Season | None = None
) -> CostEntry:
    entry = get_object_or_404(CostEntry, pk=pk, user=request.user)
    if editable_in is not None:
        editable_in.check_editable(entry.cycle)
    return entry


def get_letter(request: HttpRequest, pk: int, *, editable_in: Season | None = None) -> Letter:
    """A letter belongs to no cycle; editing it edits its assignments in the shown cycle."""
    letter = get_object_or_404(Letter, pk=pk, user=request.user)
    if editable_in is not None:
        editable_in.check_editable()
    return letter


def get_program(request: HttpRequest, pk: int) -> Program:
    """A program belongs to no cycle: it is always editable by its member."""
    return get_object_or_404(Program, pk=pk, user=request.user)


# --- A save from a stale tab (pipeline.Stale): both values shown, the member's input kept ---


def shown(field: forms.Field, value) -> str:
    if isinstance(value, list):
        return ", ".join(shorten(item, 80) for item in value) or "(none)"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        value = dict(field.choices).get(value, value)
    if isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    if isinstance(value, decimal.Decimal):
        value = f"{value:.2f}"
    return shorten(value, 80)


def stale_conflict(form: forms.ModelForm, saved) -> dict:
    """What the other tab saved against what this one sent, field by field."""
    rows = []
    for name, yours in form.cleaned_data.items():
        if name == "version" or not hasattr(saved, name):
            continue
        now, field = getattr(saved, name), form.fields[name]
        if hasattr(now, "all"):  # many-to-many: the sets, among the choices the form offers
            now = now.filter(pk__in=field.queryset.values("pk"))
            now, yours = sorted(map(str, now)), sorted(map(str, yours))
        if now != yours:
            rows.append((form[name].label, shown(field, now), shown(field, yours)))
    return {"rows": rows}


def keep_input(request: HttpRequest, saved) -> QueryDict:
    """The member's POST, at the saved version: saving it again now applies it on purpose."""
    data = request.POST.copy()
    data["version"] = str(saved.version)
    return data
