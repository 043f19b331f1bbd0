from django.contrib import admin
from django.urls import include, path
from django.views.generic.base import RedirectView

from imgportal import admin_access, curation, views

admin.site.site_header = "IMG Portal curation"
admin.site.site_title = "IMG Portal admin"
admin.site.index_title = "Curated content"
# The admin log-in goes through allauth (rate limits, lock-out, two-factor) and
# staff need a second factor before the admin opens.
admin_access.protect(admin.site)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/review/", curation.review_queue, name="curation-review"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("roadmap/", include("pathways.urls")),
    path("resources/", include("resources.urls")),
    path("", include("reminders.urls")),
    path("", include("mentors.urls")),
    path("applications/", include("applications.urls")),
    path("catalogue/", include("catalogue.urls")),
    path(
        "favicon.ico",
        RedirectView.as_view(url="/static/img/favicon.svg", permanent=True),
    ),
]

handler500 = "imgportal.views.server_error"
