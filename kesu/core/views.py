from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kesu import __version__


def home(request: HttpRequest) -> HttpResponse:
    """Where things are: the admin, the API and its documentation."""
    return render(request, "core/home.html", {"version": __version__})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "version": __version__})
