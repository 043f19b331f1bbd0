"""Letters of recommendation. A letter belongs to no cycle; the page shows and assigns it to
the applications of one cycle (`?cycle=`), and a past cycle's assignments are kept as they were."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import pipeline
from ..forms import ApplicationFilterForm, LetterAssignForm, LetterForm, NewLetterForm
from ..models import Application, Letter
from .season import (
    cycle_url,
    get_application,
    get_letter,
    keep_input,
    refuses_past_cycles,
    season_of,
    stale_conflict,
    wants_fragment,
)

PAGE_SIZE = 20


def assignment_context(request: HttpRequest, season, query) -> dict:
    """The letters of the member, and one page of the cycle's applications (filtered from
    the validated query), each with its letters: a fixed number of queries at any size."""
    letters = list(Letter.objects.filter(user=request.user))
    applications = list(
        Application.objects.for_cycle(request.user, season.cycle).prefetch_related("letters")
    )
    assigned = Counter(letter.pk for a in applications for letter in a.letters.all())
    for letter in letters:
        letter.assigned_here = assigned[letter.pk]
    form = ApplicationFilterForm(query)
    shown = [a for a in applications if form.matches(a)] if form.is_valid() else applications
    page = Paginator(shown, PAGE_SIZE).get_page(query.get("page"))
    rest = query.copy()
    rest.pop("page", None)
    rest["cycle"] = str(season.cycle)
    here = rest.copy()
    here["page"] = str(page.number)
    return {
        "cycle": season.cycle,
        "read_only": season.read_only,
        "letters": letters,
        "page": page,
        "total": len(applications),
        "filter_form": form,
        "filtered": form.is_filtered(),
        "base_query": rest.urlencode(),
        "row_query": here.urlencode(),
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
@refuses_past_cycles("applications:letters")
def letters(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycle = season.cycle
    form = NewLetterForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST":
        season.check_editable()
        if form.is_valid():
            letter = form.save()
            messages.success(
                request,
                f"Added the letter from {letter.writer}. Assign it to your applications below.",
            )
            return redirect(cycle_url(cycle, "assign", page="applications:letters"))
    context = assignment_context(request, season, request.GET) | {"form": form}
    if wants_fragment(request):
        return render(request, "applications/letters.html#assignments", context)
    return render(request, "applications/letters.html", context)


@login_required
@vary_on_headers("HX-Request")
@require_POST
@refuses_past_cycles("applications:letters")
def application_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one of the member's letters to one application, or remove it (its row on the
    letters page; htmx: the row alone)."""
    season = season_of(request)
    application = get_application(request, pk, editable_in=season)
    form = LetterAssignForm(request.POST, user=request.user)
    done = error = ""
    if form.is_valid():
        letter, action = form.cleaned_data["letter"], form.cleaned_data["action"]
        if action == "add":
            letter.applications.add(application)
            done = f"Added the letter from {letter.writer}."
        else:
            letter.applications.remove(application)
            done = f"Removed the letter from {letter.writer}."
    else:
        error = "Choose one of your letters, then Add or Remove."
    if request.htmx:
        context = {
            "application": application,
            "letters": list(Letter.objects.filter(user=request.user)),
            "assigned": list(application.letters.all()),
            "done": done,
            "error": error,
            "read_only": False,
            "row_query": request.GET.urlencode(),
        }
        return render(request, "applications/letters.html#assignment-row", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{application.program.name}: {done}")
    query = request.GET.copy()
    query["cycle"] = str(application.cycle)
    return redirect(
        reverse("applications:letters") + "?" + query.urlencode() + f"#assign-{application.pk}"
    )


@login_required
@require_http_methods(["GET", "POST"])
@refuses_past_cycles("applications:letters")
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    season = season_of(request)
    letter = get_letter(request, pk, editable_in=season if request.method == "POST" else None)
    cycle = season.cycle
    title = letter.writer
    form = LetterForm(request.POST or None, instance=letter, user=request.user, cycle=cycle)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.save_unless_stale(form, form.cleaned_data["version"])
        except pipeline.Stale as stale:
            conflict = stale_conflict(form, stale.saved)
            title = stale.saved.writer
            form = LetterForm(
                keep_input(request, stale.saved),
                instance=stale.saved,
                user=request.user,
                cycle=cycle,
            )
        else:
            messages.success(request, f"Saved the letter from {title}.")
            return redirect(cycle_url(cycle, page="applications:letters"))
    context = {
        "conflict": conflict,
        "form": form,
        "letter": letter,
        "title": title,
        "cycle": cycle,
        "read_only": season.read_only,
    }
    return render(request, "applications/letter.html", context)


@login_required
@require_POST
def letter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter belongs to no cycle: removing it removes it from every cycle."""
    letter = get_letter(request, pk)
    letter.delete()
    messages.success(request, f"Removed the letter from {letter.writer}.")
    return redirect("applications:letters")
