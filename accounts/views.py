from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.forms import DeleteAccountForm, ProfileForm
from accounts.models import Profile


@never_cache
@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.onboarded_at = profile.onboarded_at or timezone.now()
        profile.save()
        messages.success(request, "Your roadmap is ready.")
        return redirect("pathways:dashboard")
    return render(request, "accounts/onboarding.html", {"form": form})


@never_cache
@login_required
def profile_settings(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.onboarded_at = profile.onboarded_at or timezone.now()
        profile.save()
        messages.success(request, "Your profile is saved; your roadmap now follows it.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})


@never_cache
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        with transaction.atomic():
            logout(request)
            user.delete()  # cascades to the profile, progress, saved resources, reports
        messages.success(request, "Your account and all of its data have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
