import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

# The site's navigation (templates/includes/_nav.html), by the name the template uses.
NAV = {
    "home": "home",
    "dashboard": "pathways:dashboard",
    "timeline": "pathways:timeline",
    "applications": "applications:index",
    "resources": "resources:directory",
    "saved": "resources:saved",
    "settings": "accounts:settings",
    "admin": "admin:index",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
    # Links of the catalogue's search page (every search and fragment shows them).
    "catalogue": "catalogue:search",
    "propose": "catalogue:propose",
    "proposals": "catalogue:proposals",
    "program_new": "applications:program_new",
}


def site(request: HttpRequest) -> dict:
    """Tell templates when emails only print in the terminal (no SMTP configured), and give
    them the navigation's URLs (reversed once per process: every page shows them)."""
    backend = settings.MAILERS["default"]["BACKEND"]
    return {
        "emails_print_to_console": backend.endswith("console.EmailBackend"),
        "nav": nav_urls(get_script_prefix()),
    }


@functools.cache
def nav_urls(prefix: str) -> dict[str, str]:
    """The navigation's URLs under a script prefix (reverse() reads the current one)."""
    return {key: reverse(name) for key, name in NAV.items()}
