import datetime
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.models import Profile
from pathways.forms import ProgressForm
from pathways.models import Milestone, Prerequisite, Progress
from pathways.roadmap import Item, Roadmap, attach_resources, build_roadmap, load_roadmap
from pathways.timeline import timeline_layout


class Row(NamedTuple):
    """One milestone row of the roadmap: the item and its progress form."""

    item: Item
    form: ProgressForm


def onboarded_profile(request: HttpRequest) -> Profile | None:
    profile = Profile.objects.filter(user=request.user).first()
    return profile if profile is not None and profile.is_onboarded else None


def row_for(roadmap: Roadmap, item: Item) -> Row:
    form = ProgressForm(instance=item.progress, item=item, rules=roadmap.rules, today=roadmap.today)
    return Row(item, form)


def sections_of(roadmap: Roadmap) -> list[tuple[str, list[Row]]]:
    return [
        (label, [row_for(roadmap, item) for item in items])
        for label, items in roadmap.items_by_category
    ]


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = onboarded_profile(request)
    if profile is None:
        return redirect("accounts:onboarding")
    roadmap = build_roadmap(load_roadmap(request.user, profile), timezone.localdate())
    attach_resources(roadmap.next_steps)
    context = {"profile": profile, "roadmap": roadmap, "sections": sections_of(roadmap)}
    return render(request, "pathways/dashboard.html", context)


@never_cache
@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one progress row. htmx: the row plus out-of-band dashboard parts; else a page."""
    saved_progress = get_object_or_404(Progress, pk=pk, user=request.user)
    profile = onboarded_profile(request)
    if profile is None:
        return redirect("accounts:onboarding")
    today = timezone.localdate()
    data = load_roadmap(request.user, profile)
    roadmap = build_roadmap(data, today)
    item = roadmap.item_for(saved_progress.pk)
    if item is None:  # a milestone added since the roadmap was built: load_roadmap made it
        raise Http404
    # The form works on its own instance, not the roadmap's: a rejected value never
    # reaches the row that is shown as saved.
    saved_progress.milestone = item.milestone
    form = ProgressForm(
        request.POST or None, instance=saved_progress, item=item, rules=roadmap.rules, today=today
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            updated = form.save()
        roadmap = build_roadmap(data.with_progress(updated), today)
        item = roadmap.item_for(updated.pk)
        if not request.htmx:
            messages.success(request, f"Saved: {item.milestone.title}.")
            return redirect(reverse("pathways:dashboard") + f"#progress-{updated.pk}")
        return render_update(request, roadmap, row_for(roadmap, item), saved=True)
    if request.htmx and request.method == "POST":
        # htmx 2 swaps only 2xx: the row comes back with its errors next to the fields.
        return render_update(request, roadmap, Row(item, form), saved=False)
    context = {"profile": profile, "roadmap": roadmap, "item": item, "form": form}
    return render(request, "pathways/progress.html", context)


def render_update(request: HttpRequest, roadmap: Roadmap, row: Row, *, saved: bool) -> HttpResponse:
    if saved:
        attach_resources(roadmap.next_steps)
    unlocked = {m.pk for m in row.item.unlocks}
    affected = [row_for(roadmap, i) for i in roadmap.items if i.milestone.pk in unlocked]
    context = {
        "roadmap": roadmap,
        "row": row,
        "saved": saved,
        "open": not saved,
        "affected": affected if saved else [],
    }
    return render(request, "pathways/progress_updated.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def milestone(request: HttpRequest, slug: str) -> HttpResponse:
    milestone = get_object_or_404(Milestone, slug=slug)
    profile = Profile.objects.filter(user=request.user).first()
    needs = Prerequisite.objects.filter(milestone=milestone).select_related("required")
    unlocks = Prerequisite.objects.filter(required=milestone).select_related("milestone")
    context = {
        "milestone": milestone,
        "applies": profile is None or milestone.applies_to(profile),
        "needs": needs.order_by("required__order"),
        "unlocks": unlocks.order_by("milestone__order"),
        "progress": Progress.objects.filter(user=request.user, milestone=milestone).first(),
        "resources": milestone.resources.filter(published=True).order_by("title"),
    }
    return render(request, "pathways/milestone.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def timeline(request: HttpRequest) -> HttpResponse:
    profile = onboarded_profile(request)
    if profile is None:
        return redirect("accounts:onboarding")
    today: datetime.date = timezone.localdate()
    roadmap = build_roadmap(load_roadmap(request.user, profile), today)
    context = {"profile": profile, "roadmap": roadmap, "chart": timeline_layout(roadmap)}
    return render(request, "pathways/timeline.html", context)
