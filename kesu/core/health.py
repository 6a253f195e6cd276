"""`/healthz`: whether this web process can serve — its database answers.

It is what a load balancer or an orchestrator asks (liveness) and the benchmarks' floor
(bench/), so it is cheap: the database is asked (`SELECT 1`) at most every `TTL` seconds per
process, and the answer says nothing of the database but that it does not answer (the error,
with its host and user, goes to the log). The background worker's own health is another
question, with its own address (`/healthz/worker`, `kesu.deadlines.views`): a stalled worker
is no reason to take web servers out of service.
"""

import logging

from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy

from kesu.core.memo import memo

log = logging.getLogger(__name__)

TTL = 10.0
DATABASE_ERROR = gettext_lazy("The database does not answer.")


def log_database_error(where: str) -> None:
    log.warning("%s: the database does not answer", where, exc_info=True)


def database_answers() -> bool:
    """Whether the database answered, at most `TTL` seconds ago (asked again after that)."""
    return memo("health:database", _ask_database, ttl=TTL)


def _ask_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        log_database_error("/healthz")
        return False
    return True
