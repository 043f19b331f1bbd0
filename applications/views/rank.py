"""The rank order list of a cycle: its order (up, down, move to a place), notes, the fit
check of each program, and its CSV export. A long list is filtered and paged through the
URL (ApplicationFilterForm); a move answers htmx with the list's fragment."""

import csv
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.spreadsheets import escape_formula
from pathways.curated_cache import curated

from .. import pipeline, season_cache
from ..fit import Level, load_fit_inputs
from ..forms import ApplicationFilterForm, RankMoveForm, RankNoteForm
from ..models import RANKABLE, Application
from .season import (
    content_token,
    get_application,
    refuses_past_cycles,
    season_for,
    season_of,
    wants_fragment,
)

PAGE_SIZE = 20


def without_page(query) -> str:
    rest = query.copy()
    rest.pop("page", None)
    rest.pop("open", None)
    return rest.urlencode()


def rank_context(request: HttpRequest, season, query, *, page_number=None, moved=None) -> dict:
    """The rank page of `season.cycle`: every row numbered and fit-checked (one load of the
    fit inputs, pure checks), then filtered and paged from the validated query."""
    query = query.copy()
    query["cycle"] = str(season.cycle)
    rows = pipeline.rank_list(request.user, season.cycle)
    programs = [row.program for row in rows]
    fits = season_cache.fits_for(request.user, season.profile, season.today, programs)
    for place, row in enumerate(rows, 1):
        row.place = place
        row.fit = fits[row.program_id]
    form = ApplicationFilterForm(query)
    valid = form.is_valid()  # a garbled query shows the whole list, as the other lists do
    shown = [row for row in rows if not valid or form.matches(row, row.fit)]
    page = Paginator(shown, PAGE_SIZE).get_page(page_number or query.get("page"))
    return {
        "cycle": season.cycle,
        "read_only": season.read_only,
        "rows": rows,
        "page": page,
        "form": form,
        "filtered": form.is_filtered(),
        "conflicted": [row for row in rows if row.fit.level == Level.CONFLICT],
        "limits": pipeline.rank_limits(rows, curated(content_token(season)).rulebook, season.today),
        "fees_url": pipeline.NRMP_FEES_URL,
        "moved": moved,
        "open": form.cleaned_data["open"] if form.is_valid() else None,
        "base_query": without_page(query),
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def rank(request: HttpRequest) -> HttpResponse:
    """The list of a cycle. Its content (the page's or the results') comes from the situation
    cache when nothing it reads has changed (applications/season_cache.py): 3 queries then."""
    profile = season_cache.versioned_profile(request.user)
    season = season_for(request, profile)
    part = "rank-results" if wants_fragment(request) else "body"
    key = None  # without a profile: nothing to key on, computed for this request
    if profile is not None:
        key = season_cache.key_for(profile, season.today, f"rank#{part}", request.GET)

    def render_rank(extra: dict) -> str:
        context = rank_context(request, season, request.GET) | extra
        return render_to_string(f"applications/rank.html#{part}", context, request=request)

    html = season_cache.cached_html(request, key, render_rank)
    if part != "body":
        return HttpResponse(html)
    return render(request, "applications/rank.html", {"cached_body": html, "cycle": season.cycle})


@login_required
@vary_on_headers("HX-Request")
@require_POST
@refuses_past_cycles("applications:rank")
def rank_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Up, down or to a place. The page's query string (filters, page) rides on the form's
    action so the answer shows the same list; unfiltered, it shows the page the row lands on."""
    season = season_of(request)
    application = get_application(request, pk, editable_in=season)
    query = request.GET.copy()
    query["cycle"] = str(application.cycle)
    form = RankMoveForm(request.POST)
    moved = {"application": application}
    if application.status not in RANKABLE:
        moved["error"] = "Only interviewed programs can be moved on the rank list."
    elif not form.is_valid():
        moved["error"] = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        data = form.cleaned_data
        try:
            place = pipeline.move_to(
                request.user,
                application,
                direction=data["direction"],
                position=data["position"],
                was=data["was"],
            )
        except pipeline.Stale as stale:
            moved["error"] = (
                f"Not moved: the list changed in another tab since this page was loaded; "
                f"{application.program.name} is now number {stale.saved.place}. Choose again."
            )
        else:
            moved["place"] = place
            filters = ApplicationFilterForm(query)
            if not filters.is_filtered():
                query["page"] = str(math.ceil(place / PAGE_SIZE))
    url = reverse("applications:rank") + "?" + query.urlencode() + f"#rank-{pk}"
    if not request.htmx:
        if "error" in moved:
            messages.error(request, moved["error"])
        else:
            messages.success(request, f"{application.program.name} is now number {moved['place']}.")
        return redirect(url)
    context = rank_context(request, season, query, moved=moved)
    response = render(request, "applications/rank.html#rank-results", context)
    response["HX-Replace-Url"] = url.split("#")[0]
    return response


@login_required
@require_POST
@refuses_past_cycles("applications:rank")
def rank_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk, editable_in=season_of(request))
    form = RankNoteForm(request.POST)
    if form.is_valid():
        Application.objects.filter(pk=application.pk, user=request.user).update(
            rank_note=form.cleaned_data["rank_note"],
            supplemental=form.cleaned_data["supplemental"],
            updated_at=timezone.now(),
        )
        messages.success(request, f"Saved the note on {application.program.name}.")
    else:
        messages.error(request, "A note is at most 300 characters.")
    query = request.GET.copy()
    query["cycle"] = str(application.cycle)
    return redirect(reverse("applications:rank") + "?" + query.urlencode() + f"#rank-{pk}")


@login_required
@require_http_methods(["GET", "HEAD"])
def rank_export(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycle = season.cycle
    rows = pipeline.rank_list(request.user, cycle)
    programs = [row.program for row in rows]
    inputs = load_fit_inputs(request.user, season.profile, season.today, programs)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rank-order-list-{cycle}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["rank", "program", "specialty", "city", "state", "nrmp_code", "note", "conflicts"]
    )
    for number, row in enumerate(rows, 1):
        fit = inputs.check(row.program, season.profile, season.today)
        writer.writerow(
            escape_formula(value)
            for value in [
                number,
                row.program.name,
                row.specialty,
                row.program.city,
                row.program.state,
                row.program.nrmp_code,
                row.rank_note,
                "; ".join(fit.conflicts),
            ]
        )
    return response
