from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Profile


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Send members who have not finished onboarding there first."""
        onboarded = Profile.objects.filter(user=request.user, onboarded_at__isnull=False).exists()
        if not onboarded:
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)
