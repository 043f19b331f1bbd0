"""Interviews of a cycle, with clash warnings across time zones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pathways.curated_cache import curated

from .. import pipeline
from ..forms import InterviewForm
from ..interviews import clashes, time_zones
from ..models import Interview
from .season import (
    content_token,
    cycle_url,
    get_interview,
    keep_input,
    refuses_past_cycles,
    season_of,
    stale_conflict,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@refuses_past_cycles("applications:interviews")
def interviews(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycle = season.cycle
    form = InterviewForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST":
        season.check_editable()
        if form.is_valid():
            interview = form.save()
            messages.success(
                request, f"Added the interview with {interview.application.program.name}."
            )
            return redirect(cycle_url(cycle, page="applications:interviews"))
    rows = list(
        Interview.objects.filter(user=request.user, application__cycle=cycle).select_related(
            "application__program"
        )
    )
    # An interview dated after the cycle's Match Day cannot count for that Match: flagged.
    match_cycle = curated(content_token(season)).cycles.get(cycle)
    match_day = match_cycle.match_day if match_cycle else None
    context = {
        "cycle": cycle,
        "read_only": season.read_only,
        "interviews": rows,
        "clashes": clashes(rows),
        "match_day": match_day,
        "after_match_day": {i.pk for i in rows if match_day and i.date > match_day},
        "form": form,
        "time_zones": sorted(time_zones()),
    }
    return render(request, "applications/interviews.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_past_cycles("applications:interviews")
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    season = season_of(request)
    interview = get_interview(request, pk, editable_in=season if request.method == "POST" else None)
    cycle = interview.application.cycle
    title = interview.application.program.name
    form = InterviewForm(request.POST or None, instance=interview, user=request.user, cycle=cycle)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.save_unless_stale(form, form.cleaned_data["version"])
        except pipeline.Stale as stale:
            conflict = stale_conflict(form, stale.saved)
            form = InterviewForm(
                keep_input(request, stale.saved),
                instance=stale.saved,
                user=request.user,
                cycle=cycle,
            )
        else:
            messages.success(request, f"Saved the interview with {title}.")
            return redirect(cycle_url(cycle, page="applications:interviews"))
    context = {
        "conflict": conflict,
        "form": form,
        "interview": interview,
        "title": title,
        "cycle": cycle,
        "read_only": season.is_read_only(cycle),
        "time_zones": sorted(time_zones()),
    }
    return render(request, "applications/interview.html", context)


@login_required
@require_POST
@refuses_past_cycles("applications:interviews")
def interview_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview(request, pk, editable_in=season_of(request))
    interview.delete()
    messages.success(request, "Removed the interview.")
    return redirect(cycle_url(interview.application.cycle, page="applications:interviews"))
