from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kesu import __version__
from kesu.core.health import DATABASE_ERROR, database_answers


def home(request: HttpRequest) -> HttpResponse:
    """Where things are: the admin, the API and its documentation."""
    return render(request, "core/home.html", {"version": __version__})


def healthz(request: HttpRequest) -> JsonResponse:
    """200 while this web process can serve (its database answers); 503 with a general
    reason otherwise (`kesu.core.health`). The worker's sweeps: `/healthz/worker`."""
    if database_answers():
        return JsonResponse({"status": "ok", "version": __version__})
    return JsonResponse({"status": "unhealthy", "reason": str(DATABASE_ERROR)}, status=503)
