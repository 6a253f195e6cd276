from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kesu import __version__


def home(request: HttpRequest) -> HttpResponse:
    """Where things are: the admin, the API and its documentation."""
    return render(request, "core/home.html", {"version": __version__})


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when Kesu can serve and its deadlines are swept; 503 with the reason otherwise.

    Unhealthy: the database does not answer, or a worker has started but no deadline sweep
    has completed for `KESU_HEALTH_SWEEP_MAX_AGE` seconds (docs/deadlines.md, "Running it").
    """
    from kesu.deadlines import sweeper

    body: dict = {"status": "ok", "version": __version__}
    try:
        sweep = sweeper.health(timedelta(seconds=settings.KESU_HEALTH_SWEEP_MAX_AGE))
    except DatabaseError as error:
        body.update(status="unhealthy", reason=f"database: {error}".strip())
        return JsonResponse(body, status=503)
    body["sweep"] = sweep.as_dict()
    if not sweep.ok:
        body.update(status="unhealthy", reason=sweep.reason)
        return JsonResponse(body, status=503)
    return JsonResponse(body)
