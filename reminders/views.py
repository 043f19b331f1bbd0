"""Reminder preferences, the one-click unsubscribe, and the private calendar feed."""

import datetime
import hashlib
import logging
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pathways import feasibility
from pathways.curated_cache import curated
from reminders import emails
from reminders.feed import build_calendar
from reminders.forms import ReminderPreferenceForm, WhatIfForm
from reminders.models import CalendarFeed, ReminderPreference
from reminders.schedule import dated_items, member_roadmap
from reminders.tasks import plan_member_reminders

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """GET shows the saved settings or the defaults (writing nothing); POST saves them."""
    if request.method == "POST":
        form = ReminderPreferenceForm(
            request.POST, instance=ReminderPreference.for_user(request.user)
        )
        if form.is_valid():
            # The row is created only for valid settings (a rejected POST writes nothing);
            # get_or_create keeps a double submit from racing into a duplicate.
            prefs, _ = ReminderPreference.objects.get_or_create(user=request.user)
            ReminderPreferenceForm(request.POST, instance=prefs).save()
            # Reminders already due under the new settings go out now, not at the next run.
            plan_member_reminders.enqueue(request.user.pk, timezone.localdate().isoformat())
            messages.success(request, "Your reminder settings are saved.")
            return redirect("reminders:preferences")
    else:
        form = ReminderPreferenceForm(instance=ReminderPreference.for_user(request.user))
    return render(request, "reminders/preferences.html", {"form": form})


# RFC 8058 one-click unsubscribe: mail clients POST to the List-Unsubscribe URL without a
# session or CSRF token, so this one view is exempt. It needs a valid signed token and it
# can only switch reminders off.
# nosemgrep: csrf-exempt (RFC 8058: mail clients post without a token; the signed token gates it)
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id = emails.user_id_from_token(token)
    except emails.ExpiredToken:
        return render(request, "reminders/unsubscribe_expired.html", status=410)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method != "POST":
        return render(request, "reminders/unsubscribe.html", {"token": token})
    ReminderPreference.objects.update_or_create(user=user, defaults={"enabled": False})
    logger.info("Reminders switched off by unsubscribe link for user %s", user.pk)
    return render(request, "reminders/unsubscribed.html")


@login_required
@require_http_methods(["GET", "HEAD"])
def calendar(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = emails.absolute(feed.get_absolute_url()) if feed else None
    webcal = "webcal://" + url.split("://", 1)[1] if url else None
    return render(request, "reminders/calendar.html", {"feed_url": url, "webcal_url": webcal})


@login_required
@require_POST
def calendar_token(request: HttpRequest) -> HttpResponse:
    """Create or regenerate the feed's token (the old URL stops working), or revoke it."""
    if request.POST.get("action") == "revoke":
        CalendarFeed.objects.filter(user=request.user).delete()
        messages.success(request, "Your calendar link is switched off.")
    else:
        new_token = CalendarFeed._meta.get_field("token").default()
        CalendarFeed.objects.update_or_create(
            user=request.user, defaults={"token": new_token, "created_at": timezone.now()}
        )
        messages.success(request, "Your new calendar link is ready. Any old link stops working.")
    return redirect("reminders:calendar")


# The stamp a feed's content is hashed with: the content alone decides its ETag.
HASH_STAMP = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def feed_version(calendar_feed: CalendarFeed, items) -> datetime.datetime:
    """When the feed's content last changed: stored with the content's hash, and moved
    (one UPDATE) only when a request finds the content different from what was served."""
    content_hash = hashlib.sha256(build_calendar(items, HASH_STAMP)).hexdigest()
    if content_hash != calendar_feed.content_hash or calendar_feed.changed_at is None:
        # Whole seconds: Last-Modified and If-Modified-Since have no finer resolution.
        changed_at = timezone.now().replace(microsecond=0)
        CalendarFeed.objects.filter(pk=calendar_feed.pk).update(
            content_hash=content_hash, changed_at=changed_at
        )
        calendar_feed.content_hash, calendar_feed.changed_at = content_hash, changed_at
    return calendar_feed.changed_at


@require_http_methods(["GET", "HEAD"])
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's iCalendar feed. The token is the only credential: unknown → 404.

    Calendar clients poll it: it carries an ETag (the content's hash) and Last-Modified
    (when that content was first served), answers 304 to a client that has it, and is
    `private, no-cache` (a client may keep it and must revalidate) rather than no-store,
    which would forbid keeping the copy a 304 refers to. Its DTSTAMP is Last-Modified.
    """
    calendar_feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if calendar_feed is None or not calendar_feed.user.is_active:
        raise Http404
    user = calendar_feed.user
    roadmap = member_roadmap(user, timezone.localdate())
    items = dated_items(roadmap, user) if roadmap else []
    changed_at = feed_version(calendar_feed, items)
    etag = f'"{calendar_feed.content_hash[:32]}"'
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(changed_at.timestamp())
    )
    response = not_modified or HttpResponse(
        build_calendar(items, changed_at), content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at.timestamp())
    patch_cache_control(response, private=True, no_cache=True, max_age=0)
    if not_modified is None:
        response["Content-Disposition"] = 'inline; filename="imgportal.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def rules_applied(keys: set[str], rulebook, today) -> list[dict]:
    """The rules a verdict used, each with its source and review state."""
    applied = []
    for key in sorted(keys):
        if key in feasibility.PLANNING_RULES:
            rule = feasibility.PLANNING_RULES[key]
            applied.append(
                {
                    "text": rule.text,
                    "source_url": rule.source_url,
                    "needs_review": rule.needs_review,
                }
            )
            continue
        record = rulebook.record(key, today)
        if record is not None:
            applied.append(
                {
                    "text": f"{record.get_key_display()}: {record.value}",
                    "source_url": record.source_url,
                    "needs_review": record.needs_review,
                }
            )
    return applied


@login_required
@require_http_methods(["GET", "HEAD"])
def match_check(request: HttpRequest) -> HttpResponse:
    """'Can I still make Match Y?' with what-ifs side by side. Nothing is saved."""
    roadmap = member_roadmap(request.user)  # on the member's own date
    if roadmap is None:
        return redirect("accounts:onboarding")
    today = roadmap.today
    profile = roadmap.profile
    cycles = curated(roadmap.data.content_token).cycles  # by year, the roadmap's content
    situation = feasibility.situation_from(roadmap, today)
    years = [cycle.year for cycle in feasibility.candidate_years(situation, cycles)]
    target = profile.match_year if profile.match_year in years else years[0]
    form = WhatIfForm(request.GET or None, years=years, today=today, initial={"year": target})
    changed = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        target = data["year"] or target
        if form.has_assumption:
            changed = situation
            if data["fail_exam"]:
                changed = feasibility.with_failure(changed, data["fail_exam"], data["fail_on"])
            if data["diploma_on"]:
                changed = replace(changed, diploma_on=data["diploma_on"], credentials_done=False)
            if data["needs_h1b"]:
                changed = replace(changed, needs_h1b=True)
    cycle = feasibility.CycleDates.of(target, cycles)
    columns = [("Your plan", situation)]
    if changed is not None:
        columns.append(("What if", changed))
    results = [
        {
            "label": label,
            "verdict": feasibility.check(s, cycle),
            "earliest": feasibility.earliest_year(s, cycles),
        }
        for label, s in columns
    ]
    keys = set().union(*(set(r["verdict"].rules) for r in results))
    context = {
        "form": form,
        "cycle": cycle,
        "results": results,
        "rules": rules_applied(keys, roadmap.rules, today),
    }
    return render(request, "reminders/match_check.html", context)
