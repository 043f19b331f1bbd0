"""Letters of recommendation. A letter belongs to no cycle; the page shows and assigns it to
the applications of one cycle (`?cycle=`), and a past cycle's assignments are kept as they were."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import pipeline
from ..forms import LetterForm
from ..models import Letter
from .season import (
    cycle_url,
    get_letter,
    keep_input,
    refuses_past_cycles,
    season_of,
    stale_conflict,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@refuses_past_cycles("applications:letters")
def letters(request: HttpRequest) -> HttpResponse:
    season = season_of(request)
    cycle = season.cycle
    form = LetterForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST":
        season.check_editable()
        if form.is_valid():
            letter = form.save()
            messages.success(request, f"Added the letter from {letter.writer}.")
            return redirect(cycle_url(cycle, page="applications:letters"))
    rows = Letter.objects.filter(user=request.user).prefetch_related("applications__program")
    context = {"cycle": cycle, "read_only": season.read_only, "letters": rows, "form": form}
    return render(request, "applications/letters.html", context)


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
