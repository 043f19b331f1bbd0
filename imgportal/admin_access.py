"""Who may open the admin: active staff with a second factor, logged in through allauth.

allauth's `secure_admin_login` sends the admin's log-in to allauth (rate limits,
lock-out, the two-factor stage). Staff without an authenticator app or passkey
are sent to set one up before the admin opens. Pages of our own served under
/admin/ (the review queue) use `staff_view`, the same gate.
"""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SECOND_FACTORS = ["totp", "webauthn"]  # recovery codes alone are a fallback, not a factor


def has_second_factor(user) -> bool:
    return user.is_authenticated and is_mfa_enabled(user, types=SECOND_FACTORS)


def has_permission(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and has_second_factor(user)


def staff_view(view):
    """A page of ours inside the admin: the admin site's own gate (`has_permission`
    below), so anyone else is sent to the admin's log-in, which sends staff without
    a second factor to set one up."""
    return admin.site.admin_view(view)


def protect(site: admin.AdminSite) -> None:
    allauth_login = secure_admin_login(site.login)

    def login(request: HttpRequest, extra_context=None) -> HttpResponse:
        user = request.user
        staff = user.is_authenticated and user.is_active and user.is_staff
        if staff and not has_second_factor(user):
            messages.info(
                request,
                "The admin needs two-factor authentication: set up an authenticator "
                "app or a passkey first.",
            )
            return redirect("mfa_index")
        return allauth_login(request, extra_context)

    site.login = login
    site.has_permission = has_permission
