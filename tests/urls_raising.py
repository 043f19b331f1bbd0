"""A URLconf for tests that need views which raise database errors."""

from django.db import InterfaceError, OperationalError
from django.urls import path


def lost_connection(request):
    raise InterfaceError("connection already closed")


def locked(request):
    raise OperationalError("database is locked")


def programming_bug(request):
    raise ZeroDivisionError("a real bug must stay a 500")


urlpatterns = [
    path("lost/", lost_connection),
    path("locked/", locked),
    path("bug/", programming_bug),
]

handler500 = "imgportal.views.server_error"
