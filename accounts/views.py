import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.deletion import delete_account as delete_account_for_good
from accounts.export import build_zip, left_out
from accounts.forms import (
    PREVIEW_SESSION_KEY,
    DeleteAccountForm,
    PreviewForm,
    ProfileForm,
    SettingsForm,
    StaleProfile,
)
from accounts.models import Notice, Profile
from accounts.signals import situation_changed
from lib.dates import member_today


def edit_profile(
    request: HttpRequest,
    template: str,
    done_url: str,
    message: str,
    form_class: type[ProfileForm] = ProfileForm,
) -> HttpResponse:
    """The profile form, shared by onboarding and settings; saving marks onboarding done.

    A GET writes nothing: the Profile row is created by the first valid POST.
    """
    profile = Profile.objects.filter(user=request.user).first() or new_profile(request)
    form = form_class(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            save_profile(request.user, form)
        except StaleProfile as stale:
            form.conflict(stale.current)
        else:
            situation_changed.send(sender=Profile, user=request.user)
            request.session.pop(PREVIEW_SESSION_KEY, None)
            messages.success(request, message)
            return redirect(done_url)
    return render(request, template, {"form": form})


def new_profile(request: HttpRequest) -> Profile:
    """An unsaved profile, with the answers of the home-page preview if the visitor kept them."""
    answers = dict(request.session.get(PREVIEW_SESSION_KEY) or {})
    passed = answers.pop("step2cs_passed_on", None)
    allowed = {name: answers[name] for name in PreviewForm.KEPT if answers.get(name) is not None}
    profile = Profile(user=request.user, **allowed)
    if passed:
        profile.step2cs_passed_on = datetime.date.fromisoformat(passed)
    return profile


def save_profile(user, form: ProfileForm) -> Profile:
    """Create or update the member's profile; two racing first saves make one row.

    Raises StaleProfile if the row was saved since the form was opened (another tab): the
    row is locked while checking (select_for_update on PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers), so two tabs saving at once cannot both win.
    """
    values = {name: form.cleaned_data[name] for name in form.saved_fields()}
    with transaction.atomic():
        current = Profile.objects.select_for_update().filter(user=user).first()
        if form.is_stale(current):
            raise StaleProfile(current)
        profile, _ = Profile.objects.update_or_create(
            user=user, defaults=values, create_defaults={**values, "onboarded_at": timezone.now()}
        )
        if profile.onboarded_at is None:
            profile.onboarded_at = timezone.now()
            profile.save(update_fields=["onboarded_at"])
    return profile


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    # Then the exams already passed, so the roadmap follows ECFMG's window from the start.
    return edit_profile(
        request, "accounts/onboarding.html", "pathways:exams_so_far", "Your roadmap is ready."
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    return edit_profile(
        request,
        "accounts/settings.html",
        "accounts:settings",
        "Your profile is saved; your roadmap now follows it.",
        SettingsForm,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account_for_good(request)
        messages.success(request, "Your account and all of its data have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def export_data(request: HttpRequest) -> HttpResponse:
    """GET: what the download holds; POST: the zip itself (built in memory, a few KB)."""
    if request.method == "GET":
        return render(request, "accounts/export.html", {"left_out": left_out()})
    today = member_today(request.user)  # the file name carries the member's own date
    response = HttpResponse(build_zip(request.user, today), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="imgportal-data-{today:%Y-%m-%d}.zip"'
    return response


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def dismiss_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss one of the member's dashboard notices (another member's is a 404).

    The dashboard's Dismiss button posts here with htmx and gets the notices section back;
    without JavaScript it opens this page (GET: the notice and a confirm button), because the
    dashboard's cached content holds no CSRF token."""
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    if request.method == "POST":
        Notice.objects.open().filter(pk=notice.pk, user=request.user).update(
            dismissed_at=timezone.now()
        )  # dismissing twice (a double click) changes nothing more
        if request.htmx:
            context = {"notices": Notice.objects.for_dashboard(request.user), "dismissed": True}
            return render(request, "pathways/dashboard.html#notices", context)
        messages.success(request, "Notice dismissed.")
        return redirect("pathways:dashboard")
    return render(request, "accounts/notice_dismiss.html", {"notice": notice})
