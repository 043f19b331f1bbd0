from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import Profile


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.filter(user=request.user).first()
    if profile is None or not profile.is_onboarded:
        return redirect("accounts:onboarding")
    return render(request, "pathways/dashboard.html", {"profile": profile})


@login_required
def timeline(request: HttpRequest) -> HttpResponse:
    return render(request, "pathways/timeline.html")
