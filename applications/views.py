"""Pages of the application season. Every object is fetched scoped to request.user."""

import csv
from collections import Counter
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import Profile

from . import costs, pipeline, spreadsheets
from .fit import load_fit_inputs
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    BulkStatusForm,
    CostEntryForm,
    InterviewForm,
    LetterForm,
    NewApplicationForm,
    ProgramFilterForm,
    ProgramForm,
    RankNoteForm,
    SignalForm,
    StatusForm,
    UploadForm,
)
from .interviews import clashes, time_zones
from .models import (
    RANKABLE,
    Application,
    CostCategory,
    CostEntry,
    CostEstimate,
    FeeSchedule,
    Interview,
    Letter,
    Program,
    Signal,
    SignalAllowance,
    Status,
)
from .spreadsheets import escape_formula


def profile_of(request: HttpRequest) -> Profile | None:
    return Profile.objects.filter(user=request.user).first()


def programs_with_fit(request: HttpRequest, programs, profile) -> list[tuple[Program, object]]:
    today = timezone.localdate()
    inputs = load_fit_inputs(request.user, profile, today)
    return [(program, inputs.check(program, profile, today)) for program in programs]


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def programs(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    form = ProgramFilterForm(request.GET)
    rows = programs_with_fit(request, Program.objects.for_user(request.user), profile)
    total = len(rows)
    sort = "fit"
    if form.is_valid():
        data = form.cleaned_data
        if data["fit"]:
            rows = [row for row in rows if row[1].level == data["fit"]]
        if data["specialty"]:
            wanted = data["specialty"].strip().lower()
            rows = [row for row in rows if wanted in row[0].specialty.lower()]
        sort = data["sort"] or "fit"
    if sort == "fit":
        rows.sort(key=lambda row: (row[1].sort_key, row[0].name.lower()))
    elif sort == "updated":
        rows.sort(key=lambda row: row[0].updated_at, reverse=True)
    else:
        rows.sort(key=lambda row: (row[0].name.lower(), row[0].specialty.lower()))
    context = {"rows": rows, "total": total, "form": form, "profile": profile}
    return render(request, "applications/programs.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                program = form.save()
        except IntegrityError:  # a double submit raced past the form's check
            form.add_error(None, "You already keep this program in this specialty.")
        else:
            messages.success(request, f"Added {program.name}.")
            return redirect(program)
    return render(request, "applications/program_form.html", {"form": form, "program": None})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def program(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk, user=request.user)
    profile = profile_of(request)
    [(program, fit)] = programs_with_fit(request, [program], profile)
    current = pipeline.current_cycle(profile, timezone.localdate())
    context = {
        "program": program,
        "fit": fit,
        "profile": profile,
        "current_cycle": current,
        "applications": program.applications.order_by("-cycle", "specialty"),
    }
    return render(request, "applications/program.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk, user=request.user)
    form = ProgramForm(request.POST or None, instance=program, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                program = form.save()
        except IntegrityError:
            form.add_error(None, "You already keep this program in this specialty.")
        else:
            messages.success(request, f"Saved {program.name}.")
            return redirect(program)
    saved = get_object_or_404(Program, pk=pk, user=request.user) if form.errors else program
    return render(request, "applications/program_form.html", {"form": form, "program": saved})


@login_required
@require_POST
def program_delete(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk, user=request.user)
    program.delete()
    messages.success(request, f"Removed {program.name} and its applications.")
    return redirect("applications:programs")


# --- Applications per Match cycle --------------------------------------------


def cycle_url(cycle: int, anchor: str = "") -> str:
    return reverse("applications:index") + f"?cycle={cycle}" + (f"#{anchor}" if anchor else "")


def status_counts(applications) -> list[tuple[str, str, int]]:
    counts = Counter(application.status for application in applications)
    return [(value, label, counts[value]) for value, label in Status.choices]


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    form = ApplicationFilterForm(request.GET)
    cycle, status = current, ""
    if form.is_valid():
        cycle = form.cleaned_data["cycle"] or current
        status = form.cleaned_data["status"]
    applications = list(Application.objects.for_cycle(request.user, cycle))
    shown = [a for a in applications if not status or a.status == status]
    cycles = set(Application.objects.for_user(request.user).values_list("cycle", flat=True))
    fees = costs.fees_for(cycle, FeeSchedule.objects.filter(system="eras"))
    allowances = SignalAllowance.objects.filter(cycle=cycle)
    context = {
        "fees": fees,
        "specialty_fees": costs.by_specialty(applications, fees),
        "signals": signal_summary(applications, allowances),
        "applications": shown,
        "total": len(applications),
        "counts": status_counts(applications),
        "cycle": cycle,
        "current_cycle": current,
        "read_only": pipeline.is_read_only(cycle, current),
        "older_cycles": sorted((c for c in cycles if c < current), reverse=True),
        "cycles": sorted(cycles | {current}, reverse=True),
        "statuses": Status.choices,
        "status": status,
        "form": form,
        "new_form": NewApplicationForm(user=request.user, initial={"cycle": current}),
    }
    return render(request, "applications/index.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    initial = {"cycle": current, "program": request.GET.get("program")}
    form = NewApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if pipeline.is_read_only(data["cycle"], current):
            form.add_error("cycle", f"Match {data['cycle']} is past: it is kept read-only.")
        else:
            try:
                application = pipeline.create_application(
                    request.user,
                    data["program"],
                    specialty=data["specialty"],
                    cycle=data["cycle"],
                    today=today,
                )
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


def owned_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("program"), pk=pk, user=request.user
    )


@never_cache
@login_required
@vary_on_headers("HX-Request")
@require_POST
def application_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline status change. htmx: the card (+ counts out of band); else a redirect."""
    application = owned_application(request, pk)
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    form = StatusForm(request.POST)
    conflict, error = None, ""
    if pipeline.is_read_only(application.cycle, current):
        error = f"Match {application.cycle} is past: it is kept read-only."
    elif not form.is_valid():
        error = "Choose one of the listed statuses."
    else:
        chosen = form.cleaned_data["status"]
        try:
            application = pipeline.change_status(
                request.user,
                application.pk,
                status=chosen,
                on=today,
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
                    "changed_on": today,
                    "notes": application.notes,
                    "version": application.version,
                }
            )
            return render_application(request, application, detail_form, conflict, current)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                f"{application.program.name}: {application.get_status_display()}.",
            )
        return redirect(cycle_url(application.cycle, f"application-{application.pk}"))
    applications = Application.objects.filter(user=request.user, cycle=application.cycle)
    context = {
        "application": application,
        "conflict": conflict,
        "error": error,
        "statuses": Status.choices,
        "read_only": pipeline.is_read_only(application.cycle, current),
        "counts": status_counts(applications.only("status")),
        "cycle": application.cycle,
        "saved": not (conflict or error),
    }
    return render(request, "applications/status_updated.html", context)


def render_application(request, application, form, conflict, current) -> HttpResponse:
    context = {
        "application": application,
        "form": form,
        "signal_form": SignalForm(initial={"signal": application.signal}),
        "conflict": conflict,
        "read_only": pipeline.is_read_only(application.cycle, current),
        "history": application.history.all(),
    }
    return render(request, "applications/application.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    application = owned_application(request, pk)
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    initial = {
        "status": application.status,
        "changed_on": today,
        "notes": application.notes,
        "version": application.version,
    }
    form = ApplicationForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST":
        if pipeline.is_read_only(application.cycle, current):
            messages.error(request, f"Match {application.cycle} is past: it is kept read-only.")
            return redirect(application)
        if form.is_valid():
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
    return render_application(request, application, form, conflict, current)


@login_required
@require_POST
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = owned_application(request, pk)
    cycle = application.cycle
    application.delete()
    messages.success(request, f"Stopped tracking {application.program.name} for Match {cycle}.")
    return redirect(cycle_url(cycle))


@login_required
@require_POST
def bulk_status(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    editable = list(
        Application.objects.filter(user=request.user, cycle__gte=current).values_list(
            "pk", flat=True
        )
    )
    form = BulkStatusForm(request.POST, pks=editable)
    back = request.POST.get("cycle", "")
    back_url = cycle_url(int(back)) if back.isdigit() and len(back) == 4 else cycle_url(current)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back_url)
    status = form.cleaned_data["status"]
    ids = form.cleaned_data["ids"]
    # The page sends the version of each card (`version-<pk>`): a row saved since is skipped.
    posted = {pk: request.POST.get(f"version-{pk}", "") for pk in ids}
    versions = {pk: int(value) for pk, value in posted.items() if value.isdigit()}
    moved, skipped = pipeline.bulk_change_status(
        request.user, ids, status=status, on=today, versions=versions
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
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    source = request.POST.get("from_cycle", "")
    if not (source.isdigit() and int(source) < current):
        messages.error(request, "Choose one of your earlier cycles to carry programs over from.")
        return redirect(cycle_url(current))
    count = pipeline.carry_over(request.user, from_cycle=int(source), to_cycle=current, today=today)
    messages.success(
        request,
        f"Carried {count} program{'s' if count != 1 else ''} over from Match {source} "
        f"to Match {current}, starting fresh as “Researching”.",
    )
    return redirect(cycle_url(current))


# --- Costs ------------------------------------------------------------------------


def ledger_totals(entries) -> tuple[list[dict], dict]:
    rows = {
        value: {"label": label, "planned": 0, "paid": 0} for value, label in CostCategory.choices
    }
    for entry in entries:
        rows[entry.category][entry.state] += entry.amount
    used = [{"category": key, **row} for key, row in rows.items() if row["planned"] or row["paid"]]
    total = {
        "planned": sum(row["planned"] for row in used),
        "paid": sum(row["paid"] for row in used),
    }
    return used, total


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cost_ledger(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    today = timezone.localdate()
    current = pipeline.current_cycle(profile, today)
    filter_form = ApplicationFilterForm(request.GET)
    cycle = (filter_form.is_valid() and filter_form.cleaned_data["cycle"]) or current
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
        read_only = pipeline.is_read_only(cycle, current)
        if read_only:
            messages.error(request, f"Match {cycle} is past: its ledger is kept read-only.")
            return redirect(reverse("applications:costs") + f"?cycle={cycle}")
        if form.is_valid():
            entry = form.save(commit=False)
            entry.user = request.user
            entry.cycle = cycle
            slug = request.POST.get("estimate", "")
            entry.estimate = next((e for e in estimates if e.slug == slug), None)
            entry.save()
            messages.success(request, f"Added {entry.description}.")
            return redirect(reverse("applications:costs") + f"?cycle={cycle}")
    applications = Application.objects.filter(user=request.user, cycle=cycle).only(
        "specialty", "status"
    )
    fees = costs.fees_for(cycle, FeeSchedule.objects.filter(system="eras"))
    entries = list(CostEntry.objects.filter(user=request.user, cycle=cycle))
    categories, total = ledger_totals(entries)
    context = {
        "cycle": cycle,
        "read_only": pipeline.is_read_only(cycle, current),
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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def cost_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CostEntry, pk=pk, user=request.user)
    title = entry.description  # the saved value, whatever the form holds
    form = CostEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved {entry.description}.")
        return redirect(reverse("applications:costs") + f"?cycle={entry.cycle}")
    # (an invalid form leaves `entry` mutated: the page shows `title`, never entry's values)
    context = {"form": form, "entry": entry, "title": title}
    return render(request, "applications/cost_entry.html", context)


@login_required
@require_POST
def cost_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CostEntry, pk=pk, user=request.user)
    entry.delete()
    messages.success(request, f"Removed {entry.description}.")
    return redirect(reverse("applications:costs") + f"?cycle={entry.cycle}")


# --- Signals -----------------------------------------------------------------------


def signal_summary(applications, allowances) -> list[dict]:
    """Gold and silver signals used per specialty, against the recorded allowance."""
    used: dict[str, Counter] = {}
    for application in applications:
        counter = used.setdefault(application.specialty, Counter())
        if application.signal:
            counter[application.signal] += 1
    by_specialty = {allowance.specialty.lower(): allowance for allowance in allowances}
    rows = []
    for specialty in sorted(used, key=str.lower):
        allowance = by_specialty.get(specialty.lower())
        rows.append(
            {
                "specialty": specialty,
                "gold": used[specialty]["gold"],
                "silver": used[specialty]["silver"],
                "allowance": allowance,
                "over": allowance is not None
                and (
                    used[specialty]["gold"] > allowance.gold
                    or used[specialty]["silver"] > allowance.silver
                ),
            }
        )
    return rows


@login_required
@require_POST
def application_signal(request: HttpRequest, pk: int) -> HttpResponse:
    application = owned_application(request, pk)
    current = pipeline.current_cycle(profile_of(request), timezone.localdate())
    form = SignalForm(request.POST)
    if pipeline.is_read_only(application.cycle, current):
        messages.error(request, f"Match {application.cycle} is past: it is kept read-only.")
    elif not form.is_valid():
        messages.error(request, "Choose gold, silver or no signal.")
    else:
        signal = form.cleaned_data["signal"]
        allowance = SignalAllowance.objects.filter(
            cycle=application.cycle, specialty__iexact=application.specialty
        ).first()
        used = (
            Application.objects.filter(
                user=request.user,
                cycle=application.cycle,
                specialty__iexact=application.specialty,
                signal=signal,
            )
            .exclude(pk=application.pk)
            .count()
        )
        limit = getattr(allowance, signal, None) if signal and allowance else None
        if limit is not None and used >= limit:
            messages.error(
                request,
                f"You have used all {limit} {signal} signals for {application.specialty} "
                f"in Match {application.cycle}.",
            )
        else:
            Application.objects.filter(pk=application.pk).update(signal=signal)
            messages.success(request, f"{application.program.name}: {Signal(signal).label}.")
    return redirect(application)


# --- Interviews ------------------------------------------------------------------


def cycle_of(request: HttpRequest) -> tuple[int, int]:
    current = pipeline.current_cycle(profile_of(request), timezone.localdate())
    form = ApplicationFilterForm(request.GET)
    return (form.is_valid() and form.cleaned_data["cycle"]) or current, current


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def interviews(request: HttpRequest) -> HttpResponse:
    cycle, current = cycle_of(request)
    read_only = pipeline.is_read_only(cycle, current)
    form = InterviewForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST" and not read_only and form.is_valid():
        interview = form.save()
        messages.success(request, f"Added the interview with {interview.application.program.name}.")
        return redirect(reverse("applications:interviews") + f"?cycle={cycle}")
    rows = list(
        Interview.objects.filter(user=request.user, application__cycle=cycle).select_related(
            "application__program"
        )
    )
    context = {
        "cycle": cycle,
        "read_only": read_only,
        "interviews": rows,
        "clashes": clashes(rows),
        "form": form,
        "time_zones": sorted(time_zones()),
    }
    return render(request, "applications/interviews.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(
        Interview.objects.select_related("application__program"), pk=pk, user=request.user
    )
    cycle = interview.application.cycle
    title = interview.application.program.name
    form = InterviewForm(request.POST or None, instance=interview, user=request.user, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the interview with {title}.")
        return redirect(reverse("applications:interviews") + f"?cycle={cycle}")
    context = {
        "form": form,
        "interview": interview,
        "title": title,
        "cycle": cycle,
        "time_zones": sorted(time_zones()),
    }
    return render(request, "applications/interview.html", context)


@login_required
@require_POST
def interview_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(
        Interview.objects.select_related("application"), pk=pk, user=request.user
    )
    interview.delete()
    messages.success(request, "Removed the interview.")
    return redirect(reverse("applications:interviews") + f"?cycle={interview.application.cycle}")


# --- Letters ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def letters(request: HttpRequest) -> HttpResponse:
    cycle, current = cycle_of(request)
    form = LetterForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        letter = form.save()
        messages.success(request, f"Added the letter from {letter.writer}.")
        return redirect(reverse("applications:letters") + f"?cycle={cycle}")
    rows = Letter.objects.filter(user=request.user).prefetch_related("applications__program")
    context = {"cycle": cycle, "letters": rows, "form": form}
    return render(request, "applications/letters.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(Letter, pk=pk, user=request.user)
    cycle, _ = cycle_of(request)
    title = letter.writer
    form = LetterForm(request.POST or None, instance=letter, user=request.user, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the letter from {title}.")
        return redirect(reverse("applications:letters") + f"?cycle={cycle}")
    context = {"form": form, "letter": letter, "title": title, "cycle": cycle}
    return render(request, "applications/letter.html", context)


@login_required
@require_POST
def letter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(Letter, pk=pk, user=request.user)
    letter.delete()
    messages.success(request, f"Removed the letter from {letter.writer}.")
    return redirect("applications:letters")


# --- Rank order list -------------------------------------------------------------


def rank_list(user, cycle: int) -> list[Application]:
    rows = Application.objects.filter(user=user, cycle=cycle, status__in=RANKABLE).select_related(
        "program"
    )
    return sorted(rows, key=lambda a: (a.rank is None, a.rank or 0, a.program.name.lower(), a.pk))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def rank(request: HttpRequest) -> HttpResponse:
    cycle, current = cycle_of(request)
    context = {
        "cycle": cycle,
        "read_only": pipeline.is_read_only(cycle, current),
        "rows": rank_list(request.user, cycle),
    }
    return render(request, "applications/rank.html", context)


@login_required
@require_POST
def rank_move(request: HttpRequest, pk: int) -> HttpResponse:
    application = owned_application(request, pk)
    current = pipeline.current_cycle(profile_of(request), timezone.localdate())
    back = reverse("applications:rank") + f"?cycle={application.cycle}"
    if pipeline.is_read_only(application.cycle, current):
        messages.error(request, f"Match {application.cycle} is past: it is kept read-only.")
        return redirect(back)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"} or application.status not in RANKABLE:
        messages.error(request, "Only interviewed programs can be moved up or down.")
        return redirect(back)
    with transaction.atomic():
        rows = rank_list(request.user, application.cycle)
        index = next(i for i, row in enumerate(rows) if row.pk == application.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for number, row in enumerate(rows, 1):
            row.rank = number
        Application.objects.bulk_update(rows, ["rank"])
    place = next(i for i, row in enumerate(rows, 1) if row.pk == application.pk)
    messages.success(request, f"{application.program.name} is now number {place}.")
    return redirect(back + f"#rank-{application.pk}")


@login_required
@require_POST
def rank_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = owned_application(request, pk)
    form = RankNoteForm(request.POST)
    if form.is_valid():
        Application.objects.filter(pk=application.pk).update(
            rank_note=form.cleaned_data["rank_note"]
        )
        messages.success(request, f"Saved the note on {application.program.name}.")
    else:
        messages.error(request, "A note is at most 300 characters.")
    return redirect(reverse("applications:rank") + f"?cycle={application.cycle}#rank-{pk}")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def rank_export(request: HttpRequest) -> HttpResponse:
    cycle, _ = cycle_of(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rank-order-list-{cycle}.csv"'
    writer = csv.writer(response)
    writer.writerow(["rank", "program", "specialty", "city", "state", "nrmp_code", "note"])
    for number, row in enumerate(rank_list(request.user, cycle), 1):
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


# --- Spreadsheet import and export -------------------------------------------------

IMPORT_KEY = "applications_import"
SAMPLE = Path(__file__).resolve().parent / "samples" / "applications-sample.csv"


def import_context(request, form, results=None, file_name="") -> dict:
    errors = sum(1 for result in results or [] if result.errors)
    return {
        "form": form,
        "results": results,
        "error_rows": errors,
        "file_name": file_name,
        "columns": spreadsheets.COLUMNS,
        "max_rows": spreadsheets.MAX_ROWS,
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_sheet(request: HttpRequest) -> HttpResponse:
    """Upload: read and validate every row, save nothing, show the preview."""
    today = timezone.localdate()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "applications/import.html", import_context(request, form))
    upload = form.cleaned_data["file"]
    try:
        _, rows, formulas = spreadsheets.read_upload(upload)
    except spreadsheets.UploadError as error:
        form.add_error("file", str(error))
        return render(request, "applications/import.html", import_context(request, form))
    results = spreadsheets.validate(request.user, rows, formulas, today)
    if not any(result.errors for result in results):
        request.session[IMPORT_KEY] = {
            "rows": rows,
            "formulas": {str(k): v for k, v in formulas.items()},
            "name": upload.name[:100],
        }
    else:
        request.session.pop(IMPORT_KEY, None)
    context = import_context(request, UploadForm(), results, upload.name)
    return render(request, "applications/import.html", context)


# imgportal.middleware.BadInputMiddleware refuses file parts except on views marked so;
# this one bounds the file itself (spreadsheets.read_upload: size, rows, columns).
import_sheet.takes_files = True


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Apply the previewed file, all or nothing (re-validated against the data now)."""
    today = timezone.localdate()
    pending = request.session.get(IMPORT_KEY)
    if not pending:
        messages.error(request, "There is nothing to import: upload the file again.")
        return redirect("applications:import")
    formulas = {int(k): v for k, v in pending["formulas"].items()}
    results = spreadsheets.validate(request.user, pending["rows"], formulas, today)
    if any(result.errors for result in results):
        request.session.pop(IMPORT_KEY, None)
        context = import_context(request, UploadForm(), results, pending["name"])
        return render(request, "applications/import.html", context)
    try:
        created, updated, saved = spreadsheets.apply(request.user, results, today)
    except IntegrityError:
        messages.error(request, "The data changed while importing; nothing was saved. Try again.")
        return redirect("applications:import")
    request.session.pop(IMPORT_KEY, None)
    messages.success(
        request,
        f"Imported {pending['name']}: {created} programs added, {updated} updated, "
        f"{saved} applications saved.",
    )
    return redirect("applications:index")


@login_required
@require_http_methods(["GET", "HEAD"])
def import_sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SAMPLE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="applications-sample.csv"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def export_sheet(request: HttpRequest, kind: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        response = HttpResponse(
            spreadsheets.export_csv(request.user), content_type="text/csv; charset=utf-8"
        )
    elif kind == "xlsx":
        response = HttpResponse(
            spreadsheets.export_xlsx(request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.{kind}"'
    return response
