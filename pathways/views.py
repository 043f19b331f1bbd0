import datetime
import functools
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from accounts.forms import PREVIEW_SESSION_KEY, PreviewForm
from accounts.models import Notice, Profile
from accounts.signals import situation_changed
from lib import csrf_slot
from lib.dates import member_today
from pathways import dashboard_cache, history, parts
from pathways.alerts import restriction_text
from pathways.curated_cache import curated
from pathways.forms import ExamsSoFarForm, ProgressForm, StaleEdit
from pathways.models import Category, Milestone, Progress
from pathways.roadmap import (
    Item,
    Roadmap,
    attach_resources,
    build_roadmap,
    copy_of,
    load_roadmap,
    preview_roadmap,
    roadmap_for,
)
from pathways.timeline import timeline_layout


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """The member's dashboard. Its content comes from the situation cache when nothing it
    reads has changed (pathways/dashboard_cache.py): 3 queries then, 6 on a miss (7 when
    the member has open notices)."""
    profile = dashboard_cache.versioned_profile(request.user)
    if profile is None:
        return redirect("accounts:onboarding")
    today = member_today(profile)  # the date where the member lives: part of the key
    key = dashboard_cache.key_for(profile, today)
    body = dashboard_cache.cache().get(key)
    if body is None:
        roadmap = build_roadmap(load_roadmap(request.user, profile), today)
        attach_resources(roadmap)
        # Changes since the start of the member's day 30 days ago: the list follows the date,
        # which is part of the key, not the time of day.
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        context = {
            "profile": profile,
            "roadmap": roadmap,
            "versions": parts.versions(roadmap),  # of the summaries a save may refresh
            "date_changes": history.recent_for(roadmap, start),
            # One more query on a miss, only for a member with open notices (the count is
            # part of the versioned profile).
            "notices": Notice.objects.for_dashboard(request.user) if profile.notices_open else [],
        }
        body = render_to_string("pathways/dashboard.html#body", context, request=request)
        dashboard_cache.cache().set(key, body, dashboard_cache.TIMEOUT)
    return render(request, "pathways/dashboard.html", {"cached_body": body})


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the member's progress on one milestone (the row is created on its first save).

    htmx: the row plus out-of-band dashboard parts; otherwise a page of its own. The form
    (GET) comes from the situation cache, its CSRF token put back per request.
    """
    if request.method == "GET":
        return progress_form(request, slug)
    data = load_roadmap(request.user)
    if data is None:
        return redirect("accounts:onboarding")
    today = member_today(data.profile)  # where the member lives
    milestone = next((m for m in data.milestones if m.slug == slug), None)
    if milestone is None:
        raise Http404
    # The form works on its own copy of the row, not the roadmap's: a rejected value never
    # reaches the row that is shown as saved.
    before, read = data.progress_of(milestone), data
    form = ProgressForm(
        request.POST or None,
        instance=copy_of(before),
        milestone=milestone,
        rules=data.rules,
        today=today,
    )
    updated = None
    if request.method == "POST" and form.is_valid():
        try:
            updated = form.save_unless_stale()
        except StaleEdit as stale:
            form.conflict(stale.current)
    if updated is not None:
        if form.wrote:  # a save of what was already saved changes nothing
            situation_changed.send(sender=Progress, user=request.user)
        # The row as saved, which a double click's second request may have read before the
        # first one's save.
        data = data.with_progress(updated)
    # The situation is built once per request, after the save (if any).
    roadmap = build_roadmap(data, today)
    item = roadmap.item(slug)
    if updated is not None:
        if not request.htmx:
            messages.success(request, f"Saved: {item.milestone.title}.")
            return redirect(row_url(item))
        if not form.wrote:
            return render_update(request, roadmap, item)
        if roadmap.applies_changed(read):  # rows come and go: the page is built again
            return HttpResponseClientRefresh()
        # The row comes back collapsed with its "Saved" badge: the member re-opens it for
        # the form (loaded again then), so a save renders no form.
        return render_update(request, roadmap, item, before=before)
    if request.htmx:
        # htmx 2 swaps only 2xx: the row comes back with its errors next to the fields.
        return render_update(request, roadmap, item, form=form)
    context = {"profile": roadmap.profile, "roadmap": roadmap, "item": item, "form": form}
    return render(request, "pathways/progress.html", context)


def progress_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The progress form of one milestone: alone when a dashboard row is opened (htmx), else
    its page. From the situation cache under the dashboard's key (the form shows the row, the
    milestone, the rules and the member's date, nothing else), with a slot for the request's
    CSRF token (lib/csrf_slot.py)."""
    profile = dashboard_cache.versioned_profile(request.user)
    if profile is None:
        return redirect("accounts:onboarding")
    today = member_today(profile)
    page = "progress-form" if request.htmx else "progress"
    key = dashboard_cache.key_for(profile, today, page=f"{page}:{slug}")
    cached = dashboard_cache.cache().get(key)
    if cached is None:
        data = load_roadmap(request.user, profile)
        milestone = next((m for m in data.milestones if m.slug == slug), None)
        if milestone is None:
            raise Http404
        progress = copy_of(data.progress_of(milestone))
        form = ProgressForm(instance=progress, milestone=milestone, rules=data.rules, today=today)
        item = build_roadmap(data, today).item(slug)
        context = {"form": form, "milestone": milestone, "item": item, **csrf_slot.CONTEXT}
        if request.htmx:  # a dashboard row opened for the first time: its form alone
            html = render_to_string("pathways/includes/_progress_form.html", context, request)
        else:
            html = render_to_string("pathways/progress.html#body", context, request)
        cached = (milestone.title, html)
        dashboard_cache.cache().set(key, cached, dashboard_cache.TIMEOUT)
    title, html = cached
    body = csrf_slot.filled(request, html)
    if request.htmx:
        return HttpResponse(body)
    return render(request, "pathways/progress.html", {"title": title, "cached_body": body})


def render_update(
    request: HttpRequest,
    roadmap: Roadmap,
    item: Item,
    *,
    form: ProgressForm | None = None,
    before: Progress | None = None,
) -> HttpResponse:
    """The answer to a progress save: the row, with its form and errors (`form`) or after a
    save collapsed; then, out of band, what the save changed that the page shows.

    - Rows: when the save changed the row (`before`: the row as it was), the other rows it
      can have changed (Roadmap.rows_changed_with) in the sections the page has loaded (the
      `loaded` markers the form sends along).
    - On the dashboard, after a save: the summaries whose content differs from what the
      page shows (pathways/parts.py: the page sends each one's version along). A save of
      what was already saved, on a page that is up to date, sends the row alone.

    An out-of-band part without a target on the page is an htmx error, so only parts the
    page has are sent. htmx names the page in HX-Current-URL; without it (not htmx's own
    request) the dashboard is assumed."""
    saved = form is None
    rows = []
    loaded = request.POST.getlist("loaded")
    if before is not None and loaded:
        rows = roadmap.rows_changed_with(item, before)
        rows = [i for i in rows if i.milestone.category in loaded]
    on_dashboard = request.htmx.current_url_abs_path in (None, dashboard_path(get_script_prefix()))
    versions, send = {}, ()
    if saved and on_dashboard:
        versions = parts.versions(roadmap)
        shown = parts.shown(request.POST.getlist("shown"))
        send = {name for name in parts.PARTS if shown.get(name) != versions[name]}
        if "next_steps" in send:
            attach_resources(roadmap)
    context = {
        "roadmap": roadmap,
        "item": item,
        "form": form,
        "saved": saved,
        "rows": rows,
        "send": send,
        "versions": versions,
    }
    if not saved:
        return render(request, "pathways/_progress_updated.html", context)
    # No form: nothing of the request's (CSRF token, messages) is rendered; the row alone when
    # nothing else changed (the usual save), else the row and what changed with it.
    alone = not rows and not send
    template = (
        "pathways/dashboard.html#progress-row" if alone else "pathways/_progress_updated.html"
    )
    return HttpResponse(render_to_string(template, context))


@functools.cache
def dashboard_path(prefix: str) -> str:
    """The dashboard's path under a script prefix (reverse() reads the current one)."""
    return reverse("pathways:dashboard")


def row_url(item: Item) -> str:
    """A milestone's row on its category's page (where a member without JavaScript edits)."""
    key = item.milestone.category
    return reverse("pathways:category", args=[key]) + f"#row-{item.milestone.slug}"


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def category(request: HttpRequest, key: str) -> HttpResponse:
    """The member's milestones of one category: the rows a dashboard section loads when it
    is opened (htmx, from the situation cache under the dashboard's key: the rows read only
    the roadmap and carry no form), or a page of their own (without JavaScript)."""
    profile = dashboard_cache.versioned_profile(request.user)
    if profile is None:
        return redirect("accounts:onboarding")
    today = member_today(profile)
    cache_key = dashboard_cache.key_for(profile, today, page=f"section:{key}")
    rows = dashboard_cache.cache().get(cache_key) if request.htmx else None
    if rows is not None:
        return HttpResponse(rows)
    roadmap = build_roadmap(load_roadmap(request.user, profile), today)
    section = roadmap.section(key)
    if section is None:
        raise Http404
    label, items = section
    context = {"roadmap": roadmap, "key": key, "label": label, "items": items}
    if request.htmx:
        rows = render_to_string("pathways/dashboard.html#section-rows", context, request=request)
        dashboard_cache.cache().set(cache_key, rows, dashboard_cache.TIMEOUT)
        return HttpResponse(rows)
    return render(request, "pathways/category.html", context | {"profile": roadmap.profile})


@login_required
@require_http_methods(["GET", "HEAD"])
def milestone(request: HttpRequest, slug: str) -> HttpResponse:
    """A milestone's explanation; for an onboarded member also their status and dates, from
    the situation cache under the dashboard's key (it reads nothing that key leaves out)."""
    profile = dashboard_cache.versioned_profile(request.user)
    if profile is None:  # not onboarded yet: the explanation alone
        milestone = get_object_or_404(Milestone, slug=slug)
        return render(request, "pathways/milestone.html", milestone_context(None, milestone))
    today = member_today(profile)
    key = dashboard_cache.key_for(profile, today, page=f"milestone:{slug}")
    cached = dashboard_cache.cache().get(key)
    if cached is None:
        roadmap = build_roadmap(load_roadmap(request.user, profile), today)
        item = roadmap.item(slug)
        milestone = item.milestone if item else get_object_or_404(Milestone, slug=slug)
        context = milestone_context(roadmap, milestone)
        body = render_to_string("pathways/milestone.html#body", context, request=request)
        cached = (milestone.title, body)
        dashboard_cache.cache().set(key, cached, dashboard_cache.TIMEOUT)
    title, body = cached
    return render(request, "pathways/milestone.html", {"title": title, "cached_body": body})


def milestone_context(roadmap: Roadmap | None, milestone: Milestone) -> dict:
    item = roadmap.item(milestone.slug) if roadmap else None
    needs, unlocks = links_of(milestone, roadmap.data.content_token if roadmap else None)
    return {
        "milestone": milestone,
        "title": milestone.title,
        "item": item,
        "cycle_year": roadmap.cycle.year if roadmap and roadmap.cycle else None,
        "applies": item is None or item.applies,
        "needs": needs,
        "unlocks": unlocks,
        "resources": milestone.resources.filter(published=True).order_by("title"),
        "date_history": history.of_milestone(milestone, roadmap.cycle if roadmap else None),
        "restriction": restriction_on_visa(roadmap, milestone),
    }


def restriction_on_visa(roadmap: Roadmap | None, milestone: Milestone) -> str:
    """On a visa milestone, the entry restriction on the member's nationality, in words."""
    if roadmap is None or roadmap.restriction is None or milestone.category != Category.VISA:
        return ""
    return restriction_text(roadmap.restriction, today=roadmap.today)


@login_required
@require_http_methods(["GET", "POST"])
def exams_so_far(request: HttpRequest) -> HttpResponse:
    """Onboarding's second step: the exams already passed, with their dates, so the roadmap
    follows ECFMG's seven-year window from the start. Also reachable from Settings."""
    roadmap = roadmap_for(request.user)
    if roadmap is None:
        return redirect("accounts:onboarding")
    today = roadmap.today
    items = [i for i in roadmap.items if i.milestone.ecfmg_exam]
    unsaved = [i for i in items if i.progress.pk is None]
    form = ExamsSoFarForm(request.POST or None, items=unsaved, rules=roadmap.rules, today=today)
    if request.method == "POST" and form.is_valid():
        written = form.save(request.user)
        if written:
            situation_changed.send(sender=Progress, user=request.user)
            messages.success(request, "Your exams are on your roadmap.")
        return redirect("pathways:dashboard")
    context = {"form": form, "saved": [i for i in items if i.progress.pk is not None]}
    return render(request, "pathways/exams_so_far.html", context)


class Link(NamedTuple):
    """One prerequisite, read from the curated-content cache (no query)."""

    milestone: Milestone
    required: Milestone
    kind: str


def links_of(milestone: Milestone, token: str | None) -> tuple[list[Link], list[Link]]:
    """What the milestone needs first and what it unlocks, in roadmap order (from the curated
    content under `token`, the roadmap's, else the current)."""
    content = curated(token)
    by_id = {m.pk: m for m in content.milestones}
    needs = [
        Link(milestone, by_id[required], kind)
        for milestone_id, required, kind in content.prerequisites
        if milestone_id == milestone.pk
    ]
    unlocks = [
        Link(by_id[milestone_id], milestone, kind)
        for milestone_id, required, kind in content.prerequisites
        if required == milestone.pk
    ]
    needs.sort(key=lambda link: (link.required.order, link.required.title))
    unlocks.sort(key=lambda link: (link.milestone.order, link.milestone.title))
    return needs, unlocks


@require_http_methods(["GET", "HEAD"])
def preview(request: HttpRequest) -> HttpResponse:
    """A visitor's roadmap from the key questions, read-only, before signing up."""
    form = PreviewForm(request.GET or None)
    roadmap = None
    if form.is_bound and form.is_valid():
        answers = form.kept_answers() | {"onboarded_at": timezone.now()}
        answers["step2cs_passed_on"] = form.cleaned_data.get("step2cs_passed_on")
        profile = Profile(**answers)
        roadmap = preview_roadmap(profile, timezone.localdate())
    return render(request, "pathways/preview.html", {"form": form, "roadmap": roadmap})


@require_POST
def keep_preview(request: HttpRequest) -> HttpResponse:
    """Carry a visitor's answers into onboarding after sign-up (kept in their session)."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return render(request, "pathways/preview.html", {"form": form, "roadmap": None})
    request.session[PREVIEW_SESSION_KEY] = form.kept_answers()
    messages.success(request, "Your answers are kept: create your account to save your roadmap.")
    return redirect("account_signup")


@login_required
@require_http_methods(["GET", "HEAD"])
def timeline(request: HttpRequest) -> HttpResponse:
    """The member's dated milestones on one chart, from the situation cache under the
    dashboard's key (the chart reads only the roadmap)."""
    profile = dashboard_cache.versioned_profile(request.user)
    if profile is None:
        return redirect("accounts:onboarding")
    today = member_today(profile)
    key = dashboard_cache.key_for(profile, today, page="timeline")
    body = dashboard_cache.cache().get(key)
    if body is None:
        roadmap = build_roadmap(load_roadmap(request.user, profile), today)
        context = {"profile": profile, "roadmap": roadmap, "chart": timeline_layout(roadmap)}
        body = render_to_string("pathways/timeline.html#body", context, request=request)
        dashboard_cache.cache().set(key, body, dashboard_cache.TIMEOUT)
    return render(request, "pathways/timeline.html", {"cached_body": body})
