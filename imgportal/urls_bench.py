"""URLs for the benchmark only (imgportal.settings_bench): the site plus a bare view.

The bare view goes through the same middleware as every page (session, user, CSRF, CSP...)
and returns a few bytes: it is what "as fast as a logged-in page can be" means in this run.
"""

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from imgportal.urls import handler500  # noqa: F401 (the site's 500 page)
from imgportal.urls import urlpatterns as site_urlpatterns


@never_cache
@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def cold_situation_cache(get_response):
    """`X-Bench-Cache: cold`: the situation cache is emptied before the view (bench only)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.headers.get("X-Bench-Cache") == "cold":
            caches["situation"].clear()
        return get_response(request)

    return middleware


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
