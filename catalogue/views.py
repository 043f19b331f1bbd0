"""The catalogue for members: search, a program's page with its sourced facts and their
history, and proposals to the curators (a correction, a new program; their own list)."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from . import proposals
from .facts import fact_rows, facts_by_program
from .forms import CatalogueSearchForm, CorrectionForm, NewProgramForm
from .models import RANK_AT_MOST, CatalogueProgram, FactChange, FactKind, Proposal
from .search_cache import SEARCH

PAGE_SIZE = 20
# The program page shows this many of its latest fact changes.
HISTORY_AT_MOST = 50


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@dataclasses.dataclass
class Card:
    """A program in the search's results: its shared parts rendered once for everyone
    (cached under the catalogue's token), whether this member keeps it added per request."""

    pk: int
    name: str
    body: str  # safe HTML: catalogue/includes/_program_card.html#body
    add: str  # safe HTML, the "Add to my programs" button: the same for everyone
    kept_pk: int | None = None  # the member's own program linked to it: never cached


def card(entry: CatalogueProgram) -> Card:
    context = {"entry": entry}
    return Card(
        pk=entry.pk,
        name=entry.name,
        body=render_to_string("catalogue/includes/_program_card.html#body", context),
        add=render_to_string("catalogue/includes/_program_card.html#add", context),
    )


def results_page(form: CatalogueSearchForm, user, number: str | None, token: str) -> Page:
    """A page of cards of published programs for the form's search and filters (a valid
    form), each with `kept_pk`. The count, and each page's cards (their shared HTML), come
    from the search cache under the catalogue's token (catalogue/search_cache.py); whether
    this member keeps each is read on every request: 1 query on a hit, 3 on a miss."""
    parts = form.cache_parts()
    programs = CatalogueProgram.objects.published()

    def counted() -> tuple[int, bool]:
        if form.searches:
            # Counted up to one past the bound: a broad search as you type stops there.
            found = form.filter(programs).order_by().values("pk")[: RANK_AT_MOST + 1].count()
            return min(found, RANK_AT_MOST), found > RANK_AT_MOST
        return form.filter(programs).count(), False

    count, more = SEARCH.cached(("count", parts), counted, token)
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = count  # counted above: Paginator asks nothing more
    paginator.more = more
    # The page's number from the count alone (a page past the end is the last), so that the
    # cache holds one entry per page that exists.
    number = paginator.get_page(number).number

    def cards() -> list[Card]:
        if not count:
            return []
        ranked = form.filter(programs.for_cards(), rank_at_most=RANK_AT_MOST if more else None)
        if not form.searches:
            ranked = ranked.order_by("name", "specialty", "pk")
        start = (number - 1) * PAGE_SIZE
        return [card(entry) for entry in ranked[start : start + PAGE_SIZE]]

    page = Page(SEARCH.cached(("cards", parts, number), cards, token), number, paginator)
    if page.object_list:
        kept = programs.kept_pks(user, [entry.pk for entry in page.object_list])
        page.object_list = [
            dataclasses.replace(entry, kept_pk=kept.get(entry.pk)) for entry in page.object_list
        ]
    return page


@login_required
@require_http_methods(["GET", "HEAD"])
@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    token = SEARCH.version()  # read once: the results and the form's choices
    form = CatalogueSearchForm(request.GET, token=token)
    if form.is_valid():
        number = request.GET.get("page", "")
        page = results_page(form, request.user, number if number.isdigit() else None, token)
    else:
        page = Paginator([], PAGE_SIZE).get_page(1)
    context = {"form": form, "page": page}
    if wants_fragment(request):
        return render(request, "catalogue/search.html#results", context)
    context["filter_fields"] = SEARCH.form_fields(
        form, "catalogue/search.html#filter-fields", token
    )
    return render(request, "catalogue/search.html", context)


def get_published(pk: int, user=None) -> CatalogueProgram:
    programs = CatalogueProgram.objects.published().select_related("institution")
    if user is not None:
        programs = programs.with_kept(user)
    # nosemgrep: unscoped-get-object-or-404 (the shared catalogue: no member owns it)
    return get_object_or_404(programs, pk=pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def program(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_published(pk, request.user)
    history = FactChange.objects.filter(program=entry).only(
        "kind", "new_value", "old_value", "source_url", "checked_on", "changed_at", "origin"
    )[:HISTORY_AT_MOST]
    context = {
        "entry": entry,
        "facts": fact_rows(facts_by_program([entry.pk])[entry.pk]),
        "history": history,
        "history_at_most": HISTORY_AT_MOST,
    }
    return render(request, "catalogue/program.html", context)


def refused(form, error: proposals.Refused) -> None:
    form.add_error(None, str(error))


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_published(pk)
    initial = {}
    if request.GET.get("kind") in FactKind.values:
        initial["kind"] = request.GET["kind"]
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        user=request.user,
        program=entry,
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposals.submit(form.instance)
        except proposals.Refused as error:
            refused(form, error)
        else:
            messages.success(request, proposals.SENT)
            return redirect(entry)
    return render(request, "catalogue/correct.html", {"entry": entry, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    form = NewProgramForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.submit(form.instance)
        except proposals.Refused as error:
            refused(form, error)
        else:
            messages.success(request, proposals.SENT)
            return redirect("catalogue:proposals")
    return render(request, "catalogue/propose.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD"])
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the member's own proposals (another member's is a 404)."""
    mine = get_object_or_404(Proposal.objects.select_related("program"), pk=pk, user=request.user)
    return render(request, "catalogue/proposal.html", {"proposal": mine})


@login_required
@require_http_methods(["GET", "HEAD"])
def my_proposals(request: HttpRequest) -> HttpResponse:
    mine = Proposal.objects.filter(user=request.user).select_related("program")[:200]
    return render(request, "catalogue/proposals.html", {"proposals": mine})
