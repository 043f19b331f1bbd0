from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from resources.forms import ProblemReportForm, ResourceFilterForm
from resources.models import Resource, SavedResource

PAGE_SIZE = 20


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    form = ResourceFilterForm(request.GET)
    resources = Resource.objects.published().for_directory(request.user)
    resources = form.filter(resources) if form.is_valid() else resources.none()
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if wants_fragment(request):
        return render(request, "resources/directory.html#results", context)
    return render(request, "resources/directory.html", context)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.published().for_directory(request.user).prefetch_related("milestones"),
        slug=slug,
    )
    return render(request, "resources/detail.html", {"resource": resource})


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
