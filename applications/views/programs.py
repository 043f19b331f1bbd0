"""The programs a member keeps (across cycles), with the fit check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import pipeline
from ..fit import load_fit_inputs
from ..forms import ProgramFilterForm, ProgramForm
from ..models import Program
from .season import get_program, keep_input, season_of, stale_conflict


def programs_with_fit(request: HttpRequest, programs, season) -> list[tuple[Program, object]]:
    inputs = load_fit_inputs(request.user, season.profile, season.today)
    return [(program, inputs.check(program, season.profile, season.today)) for program in programs]


@login_required
@require_http_methods(["GET", "HEAD"])
def programs(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    form = ProgramFilterForm(request.GET)
    rows = programs_with_fit(request, Program.objects.for_user(request.user), season)
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
    context = {"rows": rows, "total": total, "form": form, "profile": season.profile}
    return render(request, "applications/programs.html", context)


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


@login_required
@require_http_methods(["GET", "HEAD"])
def program(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    season = season_of(request)
    [(program, fit)] = programs_with_fit(request, [program], season)
    context = {
        "program": program,
        "fit": fit,
        "profile": season.profile,
        "current_cycle": season.current,
        "applications": program.applications.order_by("-cycle", "specialty"),
    }
    return render(request, "applications/program.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    form = ProgramForm(request.POST or None, instance=program, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                program = pipeline.save_unless_stale(form, form.cleaned_data["version"])
        except IntegrityError:
            form.add_error(None, "You already keep this program in this specialty.")
        except pipeline.Stale as stale:
            conflict = stale_conflict(form, stale.saved)
            form = ProgramForm(
                keep_input(request, stale.saved), instance=stale.saved, user=request.user
            )
            program = stale.saved
        else:
            messages.success(request, f"Saved {program.name}.")
            return redirect(program)
    # (a validated form has changed `program`: the page's title comes from the saved row)
    saved = get_program(request, pk) if form.errors else program
    context = {"form": form, "program": saved, "conflict": conflict}
    return render(request, "applications/program_form.html", context)


@login_required
@require_POST
def program_delete(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request, pk)
    program.delete()
    messages.success(request, f"Removed {program.name} and its applications.")
    return redirect("applications:programs")
