"""The cost ledger of a cycle: planned and paid entries, ERAS fees, curated estimates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import costs, pipeline
from ..forms import CostEntryForm
from ..models import Application, CostEntry, CostEstimate, FeeSchedule
from .season import (
    cycle_url,
    get_cost_entry,
    keep_input,
    refuses_past_cycles,
    season_of,
    stale_conflict,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@refuses_past_cycles("applications:costs")
def cost_ledger(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycle = season.cycle
    estimates = list(CostEstimate.objects.all())
    estimate = None
    initial = {}
    wanted = request.GET.get("estimate")
    if wanted:
        estimate = next((e for e in estimates if e.slug == wanted), None)
        if estimate is not None:
            initial = {
                "category": estimate.category,
                "description": estimate.label,
                "amount": estimate.amount,
                "state": CostEntry.State.PLANNED,
            }
    form = CostEntryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        season.check_editable()
        if form.is_valid():
            entry = form.save(commit=False)
            entry.user = request.user
            entry.cycle = cycle
            slug = request.POST.get("estimate", "")
            entry.estimate = next((e for e in estimates if e.slug == slug), None)
            entry.save()
            messages.success(request, f"Added {entry.description}.")
            return redirect(cycle_url(cycle, page="applications:costs"))
    applications = Application.objects.filter(user=request.user, cycle=cycle).only(
        "specialty", "status"
    )
    fees = costs.fees_for(cycle, FeeSchedule.objects.filter(system="eras"))
    entries = list(CostEntry.objects.filter(user=request.user, cycle=cycle))
    categories, total = costs.ledger_totals(entries)
    context = {
        "cycle": cycle,
        "read_only": season.read_only,
        "fees": fees,
        "specialty_fees": costs.by_specialty(applications, fees),
        "entries": entries,
        "categories": categories,
        "total": total,
        "estimates": estimates,
        "estimate": estimate,
        "form": form,
    }
    return render(request, "applications/costs.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_past_cycles("applications:costs")
def cost_entry(request: HttpRequest, pk: int) -> HttpResponse:
    season = season_of(request)
    entry = get_cost_entry(request, pk, editable_in=season if request.method == "POST" else None)
    title = entry.description  # the saved value, whatever the form holds
    form = CostEntryForm(request.POST or None, instance=entry)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = pipeline.save_unless_stale(form, form.cleaned_data["version"])
        except pipeline.Stale as stale:
            conflict = stale_conflict(form, stale.saved)
            entry, title = stale.saved, stale.saved.description
            form = CostEntryForm(keep_input(request, entry), instance=entry)
        else:
            messages.success(request, f"Saved {saved.description}.")
            return redirect(cycle_url(saved.cycle, page="applications:costs"))
    # (a validated form leaves `entry` mutated: the page shows `title`, never entry's values)
    context = {
        "conflict": conflict,
        "form": form,
        "entry": entry,
        "title": title,
        "read_only": season.is_read_only(entry.cycle),
    }
    return render(request, "applications/cost_entry.html", context)


@login_required
@require_POST
@refuses_past_cycles("applications:costs")
def cost_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_cost_entry(request, pk, editable_in=season_of(request))
    entry.delete()
    messages.success(request, f"Removed {entry.description}.")
    return redirect(cycle_url(entry.cycle, page="applications:costs"))
