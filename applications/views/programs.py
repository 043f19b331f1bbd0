"""The programs a member keeps (across cycles), with the fit check."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from catalogue.facts import fact_rows, shown_value
from catalogue.models import CatalogueProgram
from lca.evidence import evidence_for_programs

from .. import pipeline
from ..fit import NUMBER_FACTS, load_fit_inputs, member_values
from ..forms import ProgramFilterForm, ProgramForm
from ..models import Program
from .season import get_program, keep_input, season_of, stale_conflict


def programs_with_fit(request: HttpRequest, programs, season) -> list[tuple[Program, object]]:
    programs = list(programs)
    inputs = load_fit_inputs(request.user, season.profile, season.today, programs)
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


# The member's facts the catalogue also holds (visas as its J-1 and H-1B facts).
IN_CATALOGUE = {"visas", *NUMBER_FACTS}


def catalogue_facts(program: Program, facts) -> list:
    """The catalogue entry's facts as its page shows them, each with the member's own value
    beside it where they set one and it differs ("Your note: ...")."""
    mine = member_values(program)
    rows = []
    for row in fact_rows(facts):
        own = mine.get(row.kind)
        if own is not None and shown_value(row.kind, own) != row.value:
            row = dataclasses.replace(row, mine=shown_value(row.kind, own))
        rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "HEAD"])
def program(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(
        Program.objects.select_related("catalogue__institution"), pk=pk, user=request.user
    )
    season = season_of(request)
    inputs = load_fit_inputs(request.user, season.profile, season.today, [program])
    context = {
        "program": program,
        "fit": inputs.check(program, season.profile, season.today),
        "profile": season.profile,
        "current_cycle": season.current,
        "applications": program.applications.order_by("-cycle", "specialty"),
    }
    own = program.fact_rows()
    if program.catalogue_id:
        context["catalogue_facts"] = catalogue_facts(program, inputs.facts_of(program))
        # H-1B evidence from Labor data, for every member (2 queries; already read for the
        # fit check of a member who may take the H-1B).
        if program.catalogue_id in inputs.evidence:
            evidence = inputs.evidence[program.catalogue_id]
        else:
            evidence = evidence_for_programs([program.catalogue_id])[program.catalogue_id]
        context["lca_evidence"] = evidence
        # The member's own values where set, and the facts the catalogue does not hold.
        own = [row for row in own if row["known"] or row["name"] not in IN_CATALOGUE]
    context["own_facts"] = own
    return render(request, "applications/program.html", context)


def keep_response(
    request: HttpRequest, entry, *, kept=None, clash=None, message=""
) -> HttpResponse:
    """After "Add to my programs": htmx gets the button's block ("On your list"); a plain
    POST goes to the member's program (or their clashing private one) with a message."""
    if request.htmx:
        context = {"entry": entry, "kept_pk": kept.pk if kept else None, "clash": clash}
        return render(request, "catalogue/includes/_keep.html", context)
    if clash is not None:
        messages.warning(request, message)
        return redirect(entry)
    messages.success(request, message)
    return redirect(kept)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def program_add(request: HttpRequest, catalogue_pk: int) -> HttpResponse:
    """Keep a catalogue program: the member's own Program linked to it, with only its
    identity copied (name, specialty, place, website, codes); every fact stays unknown in
    the member's row, which means "no note of mine": the catalogue's facts show and count."""
    # nosemgrep: unscoped-get-object-or-404 (the shared catalogue: no member owns it)
    entry = get_object_or_404(CatalogueProgram.objects.published(), pk=catalogue_pk)
    mine = Program.objects.for_user(request.user)
    kept = mine.filter(catalogue=entry).first()
    if kept is not None:
        return keep_response(request, entry, kept=kept, message=f"{kept.name} is on your list.")
    clash = mine.filter(name__iexact=entry.name, specialty__iexact=entry.specialty).first()
    if clash is not None:
        message = (
            f"You already keep a private program named {clash.name} in {clash.specialty}: "
            "link it to this catalogue entry, or rename yours first."
        )
        return keep_response(request, entry, clash=clash, message=message)
    try:
        with transaction.atomic():
            kept = Program.objects.create(
                user=request.user,
                catalogue=entry,
                name=entry.name,
                specialty=entry.specialty,
                city=entry.city,
                state=entry.state,
                program_url=entry.program_url,
                acgme_code=entry.acgme_id,
                nrmp_code=entry.nrmp_code,
            )
    except IntegrityError:  # a double click: the other request added it a moment ago
        kept = (
            mine.filter(catalogue=entry).first()
            or mine.filter(name__iexact=entry.name, specialty__iexact=entry.specialty).first()
        )
        if kept is None:
            raise
        return keep_response(request, entry, kept=kept, message=f"{kept.name} is on your list.")
    return keep_response(request, entry, kept=kept, message=f"Added {kept.name} to your programs.")


@login_required
@require_POST
def program_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a private program to a catalogue entry (`catalogue`, posted): the member's facts
    stay as their notes."""
    program = get_program(request, pk)
    catalogue_pk = request.POST.get("catalogue", "")
    if not catalogue_pk.isdigit():
        raise Http404("No such catalogue program.")
    # nosemgrep: unscoped-get-object-or-404 (the shared catalogue: no member owns it)
    entry = get_object_or_404(CatalogueProgram.objects.published(), pk=int(catalogue_pk))
    if program.catalogue_id == entry.pk:
        return redirect(program)
    if program.catalogue_id is not None:
        messages.warning(request, f"{program.name} is linked to another entry: unlink it first.")
        return redirect(program)
    try:
        with transaction.atomic():
            Program.objects.filter(pk=program.pk, catalogue__isnull=True).update(
                catalogue=entry, updated_at=timezone.now()
            )
    except IntegrityError:
        kept = Program.objects.for_user(request.user).get(catalogue=entry)
        messages.warning(request, f"Another of your programs is linked to it: {kept.name}.")
        return redirect(kept)
    messages.success(request, f"Linked {program.name} to the catalogue's entry.")
    return redirect(program)


@login_required
@require_POST
def program_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the program privately: the catalogue's facts no longer show or count for it."""
    program = get_program(request, pk)
    Program.objects.filter(pk=program.pk).update(catalogue=None, updated_at=timezone.now())
    messages.success(request, f"{program.name} is now a private program: only your facts count.")
    return redirect(program)


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
