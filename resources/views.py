import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from resources import directory_cache
from resources.forms import ProblemReportForm, ResourceFilterForm
from resources.models import RANK_AT_MOST, Resource, SavedResource

PAGE_SIZE = 20


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@dataclasses.dataclass
class Card:
    """A resource in the directory's results: its curator text rendered once for everyone
    (cached), whether this member saved it added per request."""

    pk: int
    slug: str
    title: str
    save_url: str
    body: str  # safe HTML: resources/includes/_resource_card_body.html
    is_saved: bool = False


def results_page(form: ResourceFilterForm, number: str | None, token: str) -> Page:
    """The count and a page of cards for the form's search and filters, cached per search,
    filters and page under the resources' token (resources/directory_cache.py)."""

    def counted() -> tuple[int, bool]:
        """How many match, and whether more match than a search ranks."""
        resources = form.filter(Resource.objects.published())
        if not form.searches:
            return resources.count(), False
        # Counted up to one past the bound, in the database: a broad search as you type
        # ("v") stops there instead of counting every match.
        found = resources.order_by().values("pk")[: RANK_AT_MOST + 1].count()
        return min(found, RANK_AT_MOST), found > RANK_AT_MOST

    def compute() -> dict:
        # The count is kept apart from the pages: turning a page does not count again.
        count, more = directory_cache.cached(("count", form.cache_parts()), counted, token)
        resources = form.filter(
            Resource.objects.published().for_cards(), rank_at_most=RANK_AT_MOST if more else None
        )
        paginator = Paginator(resources, PAGE_SIZE)
        paginator.count = count
        page = paginator.get_page(number)
        cards = [
            Card(
                pk=resource.pk,
                slug=resource.slug,
                title=resource.title,
                save_url=resource.save_url,
                body=render_to_string(
                    "resources/includes/_resource_card_body.html", {"resource": resource}
                ),
            )
            for resource in page
        ]
        return {"count": count, "more": more, "number": page.number, "cards": cards}

    entry = directory_cache.cached(("results", form.cache_parts(), number), compute, token)
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = entry["count"]  # the cached count: Paginator asks nothing more
    paginator.more = entry["more"]  # more matches than were ranked
    return Page(entry["cards"], entry["number"], paginator)


def mark_saved(page: Page, user) -> None:
    """Set is_saved on the page's cards: one query for a member, none for a visitor."""
    if not user.is_authenticated or not page.object_list:
        return
    saved = set(
        SavedResource.objects.filter(
            user=user, resource_id__in=[card.pk for card in page.object_list]
        ).values_list("resource_id", flat=True)
    )
    page.object_list = [
        dataclasses.replace(card, is_saved=card.pk in saved) for card in page.object_list
    ]


@require_GET
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    token = directory_cache.version()  # read once: the results and the form's choices
    form = ResourceFilterForm(request.GET, token=token)
    if form.is_valid():
        number = request.GET.get("page", "")
        page = results_page(form, number if number.isdigit() else None, token)
        mark_saved(page, request.user)
    else:
        page = Paginator([], PAGE_SIZE).get_page(1)
    context = {"form": form, "page": page}
    if wants_fragment(request):
        return render(request, "resources/directory.html#results", context)
    context["filter_fields"] = directory_cache.DIRECTORY.form_fields(
        form, "resources/directory.html#filter-fields", token
    )
    return render(request, "resources/directory.html", context)


@dataclasses.dataclass
class DetailPage:
    """A resource's page as everyone sees it, rendered once (cached); whether this member
    saved it added per request. Named like a resource for the save button's template."""

    pk: int
    slug: str
    title: str
    save_url: str
    report_url: str
    # Safe HTML, the partials of resources/detail.html: the breadcrumbs, the curator's text
    # (facts, Markdown, tags) and the milestones it helps with ("" when none).
    breadcrumbs: str
    facts: str
    milestones: str
    is_saved: bool = False


def detail_page(slug: str, user) -> DetailPage:
    """A published resource's page (404 if there is none): what everyone sees cached under the
    resources' token (a change to the resource, its tags or its milestones, unpublishing it,
    or a change of the curated roadmap content, which holds the milestones' titles and
    slugs, replaces it: resources/directory_cache.py), keyed by today's date too (the "over
    a year ago" badge turns on with the date alone); then whether this member saved it,
    never cached."""
    token = directory_cache.version()
    saved = None  # read with the resource on a miss, which keeps a miss at one query less

    def compute() -> DetailPage:
        nonlocal saved
        resource = get_object_or_404(
            Resource.objects.published().for_directory(user).prefetch_related("milestones"),
            slug=slug,
        )
        saved = getattr(resource, "is_saved", None)
        context = {"resource": resource}
        return DetailPage(
            pk=resource.pk,
            slug=resource.slug,
            title=resource.title,
            save_url=resource.save_url,
            report_url=reverse("resources:report", args=[resource.slug]),
            breadcrumbs=render_to_string("resources/detail.html#breadcrumbs", context),
            facts=render_to_string("resources/detail.html#facts", context),
            milestones=render_to_string("resources/detail.html#milestones", context),
        )

    # A 404 raises inside compute: nothing is stored, the next request asks again.
    parts = ("detail", slug, timezone.localdate().isoformat())
    page = directory_cache.cached(parts, compute, token)
    if not user.is_authenticated:
        return page
    if saved is None:
        saved = SavedResource.objects.filter(user=user, resource_id=page.pk).exists()
    return dataclasses.replace(page, is_saved=saved)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = detail_page(slug, request.user)
    return render(request, "resources/detail.html", {"resource": page})


@login_required
@require_POST
def toggle_save(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.published(), slug=slug)
    deleted, _ = SavedResource.objects.filter(user=request.user, resource=resource).delete()
    if not deleted:
        SavedResource.objects.get_or_create(user=request.user, resource=resource)
    resource.is_saved = not deleted
    if request.htmx:
        context = {"resource": resource, "next_url": request.POST.get("next", "")}
        return render(request, "resources/includes/_save_button.html", context)
    if resource.is_saved:
        messages.success(request, f"Saved “{resource.title}”.")
    else:
        messages.success(request, f"Removed “{resource.title}” from your saved resources.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(resource)


@login_required
@require_GET
def saved(request: HttpRequest) -> HttpResponse:
    resources = (
        Resource.objects.published()
        .filter(saves__user=request.user)
        .for_directory(request.user)
        .order_by("-saves__created_at")
    )
    return render(request, "resources/saved.html", {"resources": resources})


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def report_problem(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.published(), slug=slug)
    data = request.POST if request.method == "POST" else None
    form = ProblemReportForm(data, user=request.user, resource=resource)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            # A second report sent at the same moment: the one-open-report constraint held.
            form.add_error(None, "You have already reported a problem with this resource.")
        else:
            if request.htmx:
                return render(request, "resources/report.html#report-sent", {"resource": resource})
            messages.success(request, "Thank you: a curator will look at your report.")
            return redirect(resource)
    context = {"resource": resource, "form": form}
    if wants_fragment(request):
        return render(request, "resources/report.html#report-form", context)
    return render(request, "resources/report.html", context)
