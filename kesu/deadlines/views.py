"""`/healthz/worker`: whether the background worker sweeps the deadlines (for monitoring)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from kesu.core.encoding import local_instant
from kesu.core.health import DATABASE_ERROR, log_database_error
from kesu.deadlines import sweeper


def worker_health(request: HttpRequest) -> JsonResponse:
    """200 while deadline sweeps complete; 503 when a worker has started but none has
    completed (nor is one running that started) for `KESU_HEALTH_SWEEP_MAX_AGE` seconds, or
    when the database does not answer. The reason is in general words; the times of the last
    completed sweep, of the one running and of the worker's start are given beside it. Not
    for a load balancer: a stalled worker is no reason to stop serving (`/healthz`)."""
    try:
        sweep = sweeper.health(timedelta(seconds=settings.KESU_HEALTH_SWEEP_MAX_AGE))
    except DatabaseError:
        log_database_error("/healthz/worker")
        return JsonResponse({"status": "unhealthy", "reason": str(DATABASE_ERROR)}, status=503)
    body = {
        "status": "ok" if sweep.ok else "unhealthy",
        "last_completed": _instant(sweep.last_completed),
        "running_since": _instant(sweep.running_since),
        "worker_started": _instant(sweep.worker_started),
    }
    if sweep.worker_started is None:
        body["reason"] = _("No worker has started yet: no sweep is expected.")
    if not sweep.ok:
        body["reason"] = sweep.reason
    return JsonResponse(body, status=200 if sweep.ok else 503)


def _instant(at: datetime | None) -> str | None:
    return local_instant(at) if at else None
