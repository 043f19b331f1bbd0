"""Applications per Match cycle: the board, one application, status, signal, bulk moves."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import costs, pipeline, season_cache
from ..fit import Level
from ..forms import (
    ApplicationFilterForm,
    ApplicationForm,
    BulkStatusForm,
    NewApplicationForm,
    SignalForm,
    StatusForm,
)
from ..models import Application, FeeSchedule, Signal, SignalAllowance, Status
from .season import (
    cycle_url,
    get_application,
    refuses_past_cycles,
    season_for,
    season_of,
    wants_fragment,
)


def status_counts(applications) -> list[tuple[str, str, int]]:
    counts = Counter(application.status for application in applications)
    return [(value, label, counts[value]) for value, label in Status.choices]


PAGE_SIZE = 20


def with_fit(request: HttpRequest, season, applications):
    """Each application with its program's fit as a card shows it (level and conflicts; no
    Labor-data evidence): season_cache.fits_for."""
    programs = [application.program for application in applications]
    fits = season_cache.fits_for(request.user, season.profile, season.today, programs)
    for application in applications:
        application.fit = fits[application.program_id]
    return applications


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    """The board of a cycle. Its content (the page's, the results' or one opened card's)
    comes from the situation cache when nothing it reads has changed
    (applications/season_cache.py): 3 queries then (session, user, the versioned profile)."""
    profile = season_cache.versioned_profile(request.user)
    form = ApplicationFilterForm(request.GET)
    season = season_for(request, profile, form)
    opened = form.cleaned_data["open"] if form.is_valid() else None
    if wants_fragment(request):
        part = "application-card" if opened else "application-results"
    else:
        part = "body"
    key = None  # without a profile: nothing to key on, computed for this request
    if profile is not None:
        key = season_cache.key_for(profile, season.today, f"index#{part}", request.GET)
    html = season_cache.cached_html(
        request,
        key,
        lambda extra: render_index(request, season, form, part, extra),
    )
    if part != "body":
        return HttpResponse(html)
    return render(request, "applications/index.html", {"cached_body": html, "cycle": season.cycle})


def render_index(request: HttpRequest, season, form, part: str, extra: dict) -> str:
    """The board's `part` (a partial of applications/index.html), computed from the data."""
    cycle, current = season.cycle, season.current
    applications = list(Application.objects.for_cycle(request.user, cycle))
    with_fit(request, season, applications)
    valid = form.is_valid()
    shown = [a for a in applications if not valid or form.matches(a, a.fit)]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("open", None)
    query["cycle"] = str(cycle)
    opened = form.cleaned_data["open"] if valid else None
    context = {
        "applications": page.object_list,
        "page": page,
        "base_query": query.urlencode(),
        "shown": len(shown),
        "total": len(applications),
        "conflicted": sum(a.fit.level == Level.CONFLICT for a in applications),
        "cycle": cycle,
        "current_cycle": current,
        "read_only": season.read_only,
        "statuses": Status.choices,
        "form": form,
        "filtered": form.is_filtered(),
        "open": opened,
    }
    if part == "application-card":  # one card with its status form, on demand
        card = next((a for a in applications if a.pk == opened), None)
        if card is None:
            raise Http404("No such application in this cycle.")
        context["application"] = card
    elif part == "body":
        mine = Application.objects.for_user(request.user).order_by().distinct()
        cycles = set(mine.values_list("cycle", flat=True))
        fees = costs.fees_for(cycle, FeeSchedule.objects.filter(system="eras"))
        allowances = SignalAllowance.objects.filter(cycle=cycle)
        context |= {
            "fees": fees,
            "specialty_fees": costs.by_specialty(applications, fees),
            "signals": pipeline.signal_summary(applications, allowances),
            "counts": status_counts(applications),
            "older_cycles": sorted((c for c in cycles if season.is_read_only(c)), reverse=True),
            "cycles": sorted(cycles | {current}, reverse=True),
        }
    return render_to_string(f"applications/index.html#{part}", context | extra, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    current = season.current
    initial = {"cycle": current, "program": request.GET.get("program")}
    form = NewApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            season.check_editable(data["cycle"])
            application = pipeline.create_application(
                request.user,
                data["program"],
                specialty=data["specialty"],
                cycle=data["cycle"],
                today=season.today,
            )
        except pipeline.ReadOnly as refusal:  # next to the field the member chose
            form.add_error("cycle", str(refusal))
        except pipeline.Duplicate:
            form.add_error(
                None,
                f"You already track this program in this specialty for Match {data['cycle']}.",
            )
        else:
            messages.success(request, f"Tracking {application.program.name}.")
            return redirect(cycle_url(application.cycle, f"application-{application.pk}"))
    applications = Application.objects.filter(user=request.user, cycle=current).only(
        "specialty", "status"
    )
    fees = costs.fees_for(current, FeeSchedule.objects.filter(system="eras"))
    context = {
        "form": form,
        "fees": fees,
        "specialty_fees": costs.by_specialty(applications, fees),
        "cycle": current,
    }
    return render(request, "applications/application_new.html", context)


@login_required
@vary_on_headers("HX-Request")
@require_POST
@refuses_past_cycles("applications:index")
def application_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline status change. htmx: the card (+ counts out of band); else a redirect."""
    season = season_of(request)
    application = get_application(request, pk, editable_in=season)
    form = StatusForm(request.POST)
    conflict, error = None, ""
    if not form.is_valid():
        error = "Choose one of the listed statuses."
    else:
        chosen = form.cleaned_data["status"]
        try:
            application = pipeline.change_status(
                request.user,
                application.pk,
                status=chosen,
                on=season.today,
                version=form.cleaned_data["version"],
            )
        except pipeline.Stale as stale:
            application = stale.saved
            conflict = {"yours": Status(chosen).label, "saved": application}
    if not request.htmx:
        if conflict:
            detail_form = ApplicationForm(
                initial={
                    "status": form.cleaned_data["status"],
                    "changed_on": season.today,
                    "notes": application.notes,
                    "version": application.version,
                }
            )
            return render_application(request, application, detail_form, conflict, season)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                f"{application.program.name}: {application.get_status_display()}.",
            )
        return redirect(cycle_url(application.cycle, f"application-{application.pk}"))
    applications = Application.objects.filter(user=request.user, cycle=application.cycle)
    with_fit(request, season, [application])
    context = {
        "application": application,
        "conflict": conflict,
        "error": error,
        "statuses": Status.choices,
        "read_only": False,
        "counts": status_counts(applications.only("status")),
        "cycle": application.cycle,
        "saved": not (conflict or error),
        "open": application.pk,  # the form stays open for the next step
    }
    return render(request, "applications/status_updated.html", context)


def render_application(request, application, form, conflict, season) -> HttpResponse:
    context = {
        "application": application,
        "form": form,
        "signal_form": SignalForm(initial={"signal": application.signal}),
        "conflict": conflict,
        "read_only": season.is_read_only(application.cycle),
        "history": application.history.all(),
    }
    return render(request, "applications/application.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@refuses_past_cycles("applications:index")
def application(request: HttpRequest, pk: int) -> HttpResponse:
    season = season_of(request)
    editable_in = season if request.method == "POST" else None
    application = get_application(request, pk, editable_in=editable_in)
    initial = {
        "status": application.status,
        "changed_on": season.today,
        "notes": application.notes,
        "version": application.version,
    }
    form = ApplicationForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = pipeline.change_status(
                request.user,
                application.pk,
                status=data["status"],
                on=data["changed_on"],
                version=data["version"],
                notes=data["notes"],
            )
        except pipeline.Stale as stale:
            application = stale.saved
            conflict = {
                "yours": Status(data["status"]).label,
                "saved": application,
                "your_notes": data["notes"],
            }
            # Keep what the member typed; resubmitting now applies it on purpose.
            form = ApplicationForm({**request.POST.dict(), "version": application.version})
        else:
            messages.success(request, f"Saved {saved.program.name}.")
            return redirect(cycle_url(saved.cycle, f"application-{saved.pk}"))
    return render_application(request, application, form, conflict, season)


@login_required
@require_POST
@refuses_past_cycles("applications:index")
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk, editable_in=season_of(request))
    cycle = application.cycle
    application.delete()
    messages.success(request, f"Stopped tracking {application.program.name} for Match {cycle}.")
    return redirect(cycle_url(cycle))


@login_required
@require_POST
@refuses_past_cycles("applications:index")
def bulk_status(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycles = dict(Application.objects.filter(user=request.user).values_list("pk", "cycle"))
    form = BulkStatusForm(request.POST, pks=list(cycles))
    back = request.POST.get("cycle", "")
    back_url = (
        cycle_url(int(back)) if back.isdigit() and len(back) == 4 else cycle_url(season.current)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back_url)
    status = form.cleaned_data["status"]
    ids = form.cleaned_data["ids"]
    season.check_editable(min(cycles[pk] for pk in ids))
    # The page sends the version of each card (`version-<pk>`): a row saved since is skipped.
    posted = {pk: request.POST.get(f"version-{pk}", "") for pk in ids}
    versions = {pk: int(value) for pk, value in posted.items() if value.isdigit()}
    moved, skipped = pipeline.bulk_change_status(
        request.user, ids, status=status, on=season.today, versions=versions
    )
    messages.success(
        request, f"Moved {moved} application{'s' if moved != 1 else ''} to {Status(status).label}."
    )
    if skipped:
        names = ", ".join(row.program.name for row in skipped)
        it = "it" if len(skipped) == 1 else "them"
        messages.warning(
            request,
            f"Not moved: {names} changed in another tab since the page was loaded. "
            f"Check {it} and choose again.",
        )
    return redirect(back_url)


@login_required
@require_POST
def carry_over(request: HttpRequest) -> HttpResponse:
    """Reads a past cycle and writes only into the current one."""
    season = season_of(request)
    current = season.current
    source = request.POST.get("from_cycle", "")
    if not (source.isdigit() and season.is_read_only(int(source))):
        messages.error(request, "Choose one of your earlier cycles to carry programs over from.")
        return redirect(cycle_url(current))
    count = pipeline.carry_over(
        request.user, from_cycle=int(source), to_cycle=current, today=season.today
    )
    messages.success(
        request,
        f"Carried {count} program{'s' if count != 1 else ''} over from Match {source} "
        f"to Match {current}, starting fresh as “Researching”.",
    )
    return redirect(cycle_url(current))


@login_required
@require_POST
@refuses_past_cycles("applications:index")
def application_signal(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application(request, pk, editable_in=season_of(request))
    form = SignalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose gold, silver or no signal.")
        return redirect(application)
    signal = form.cleaned_data["signal"]
    try:
        pipeline.set_signal(request.user, application, signal)
    except pipeline.SignalsUsed as used:
        messages.error(request, str(used))
    else:
        messages.success(request, f"{application.program.name}: {Signal(signal).label}.")
    return redirect(application)
