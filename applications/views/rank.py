"""The rank order list of a cycle: its order, notes, and its CSV export."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.spreadsheets import escape_formula

from .. import pipeline
from ..forms import RankNoteForm
from ..models import RANKABLE, Application
from .season import cycle_url, get_application, refuses_past_cycles, season_of


@login_required
@require_http_methods(["GET", "HEAD"])
def rank(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    context = {
        "cycle": season.cycle,
        "read_only": season.read_only,
        "rows": pipeline.rank_list(request.user, season.cycle),
    }
    return render(request, "applications/rank.html", context)


@login_required
@require_POST
@refuses_past_cycles("applications:rank")
def rank_move(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk, editable_in=season_of(request))
    back = cycle_url(application.cycle, page="applications:rank")
    direction = request.POST.get("direction")
    if direction not in {"up", "down"} or application.status not in RANKABLE:
        messages.error(request, "Only interviewed programs can be moved up or down.")
        return redirect(back)
    place = pipeline.move_in_rank(request.user, application, direction)
    messages.success(request, f"{application.program.name} is now number {place}.")
    return redirect(back + f"#rank-{application.pk}")


@login_required
@require_POST
@refuses_past_cycles("applications:rank")
def rank_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk, editable_in=season_of(request))
    form = RankNoteForm(request.POST)
    if form.is_valid():
        Application.objects.filter(pk=application.pk, user=request.user).update(
            rank_note=form.cleaned_data["rank_note"]
        )
        messages.success(request, f"Saved the note on {application.program.name}.")
    else:
        messages.error(request, "A note is at most 300 characters.")
    return redirect(cycle_url(application.cycle, f"rank-{pk}", page="applications:rank"))


@login_required
@require_http_methods(["GET", "HEAD"])
def rank_export(request: HttpRequest) -> HttpResponse:
    cycle = season_of(request).cycle
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rank-order-list-{cycle}.csv"'
    writer = csv.writer(response)
    writer.writerow(["rank", "program", "specialty", "city", "state", "nrmp_code", "note"])
    for number, row in enumerate(pipeline.rank_list(request.user, cycle), 1):
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
            ]
        )
    return response
