from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def directory(request: HttpRequest) -> HttpResponse:
    return render(request, "resources/directory.html")


@login_required
def saved(request: HttpRequest) -> HttpResponse:
    return render(request, "resources/saved.html")
