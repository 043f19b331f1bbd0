"""Mentor links: the member's pages (list, create, revoke) and the public read-only page."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from mentors.forms import MentorLinkForm
from mentors.models import MentorLink, hash_token, new_token
from pathways.roadmap import roadmap_for

# The full URL of a new link waits in the session until the list page shows it, once.
NEW_LINK_KEY = "mentors_new_link"
# NRMP allows at most 300 ranks on a list; a mentor page never renders more than that.
MAX_APPLICATIONS_SHOWN = 300


@login_required
@require_http_methods(["GET", "HEAD"])
def link_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    links = list(MentorLink.objects.filter(user=request.user))
    for link in links:
        link.current_status = link.status_on(today)
    new_link = None
    shown = request.session.get(NEW_LINK_KEY) if request.method == "GET" else None
    if shown is not None:
        del request.session[NEW_LINK_KEY]
        token = shown["token"]
        new_link = {
            "link": next((link for link in links if link.pk == shown["pk"]), None),
            "url": request.build_absolute_uri(reverse("mentors:shared", args=[token])),
        }
    return render(request, "mentors/links.html", {"links": links, "new_link": new_link})


@login_required
@require_http_methods(["GET", "POST"])
def create_link(request: HttpRequest) -> HttpResponse:
    form = MentorLinkForm(request.POST or None, user=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        token = new_token()
        link = form.save(commit=False)
        link.user = request.user
        link.token_hash = hash_token(token)
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError:  # a double-clicked submit: the first one made the link
            form.add_error("label", "You already have a link with this name.")
        else:
            request.session[NEW_LINK_KEY] = {"pk": link.pk, "token": token}
            return redirect("mentors:links")
    return render(request, "mentors/create.html", {"form": form})


@login_required
@require_POST
def revoke_link(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(MentorLink, pk=pk, user=request.user)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    messages.success(request, f"The link for {link.label} no longer opens.")
    return redirect("mentors:links")


def shared_applications(user, cycle: int | None) -> list | None:
    """The member's applications of their target Match cycle, for the mentor page: program,
    status, rank and interview days (2 queries). None when the applications app is not
    installed. Read through the app registry: mentors and applications never import each
    other. Notes are shown only if the link includes notes (the template decides)."""
    if not apps.is_installed("applications") or cycle is None:
        return None
    application = apps.get_model("applications", "Application")
    rows = (
        application.objects.filter(user=user, cycle=cycle)
        .select_related("program")
        .prefetch_related("interviews")
        .order_by(F("rank").asc(nulls_last=True), "program__name")
    )
    return list(rows[:MAX_APPLICATIONS_SHOWN])


@never_cache
@require_http_methods(["GET", "HEAD"])
def shared_roadmap(request: HttpRequest, token: str) -> HttpResponse:
    """The read-only roadmap a mentor opens. No write endpoint accepts the token (this
    view answers GET and HEAD only). A wrong, expired or revoked token is the same 404.

    A GET writes exactly one column, the link's own `last_opened_at` (one UPDATE), so the
    member sees when it was last opened; nothing of the member's data is ever written.
    """
    today = timezone.localdate()
    link = MentorLink.objects.for_token(token, today).select_related("user").first()
    if link is None:  # the same answer for a wrong, expired or revoked token
        return private(render(request, "404.html", status=404))
    if request.method == "GET":
        MentorLink.objects.filter(pk=link.pk).update(last_opened_at=timezone.now())
    roadmap = roadmap_for(link.user, today)
    context = {
        "link": link,
        "owner_name": link.user.first_name.strip() or "a member",
        "roadmap": roadmap,
        "applications": shared_applications(
            link.user, roadmap.profile.match_year if roadmap else None
        ),
        "expires_on": link.expires_on,
        "today": today,
    }
    return private(render(request, "mentors/shared.html", context))


def private(response: HttpResponse) -> HttpResponse:
    """Not indexed, and the token never leaks through a Referer header (never_cache adds
    no-store to this response too)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
