"""URLs of the registration ladder's server: Kesu's own, plus three rungs below registration.

Each rung receives the same request as `POST /api/v1/complaints` (the same JSON body and
bearer token, through the same middleware, ninja, schema and authentication) and answers
with the same record, doing less than registration does:

* `validate`: the request as registration receives it, the payload turned into a
  `NewComplaint` (category and department looked up), the record sent back. No write.
* `write_small`: `validate` plus one write transaction that stores the request body in a
  small table of its own.
* `write_rows`: `validate` plus the core of a registration's write transaction: the next
  number, then the complaint row and its `register` event, as registration stored them for the
  worker's first request. None of the rules run (severity, clocks), and no notification rows
  are written (registration writes them for some complaints, in the same transaction).

Only the bench's ladder server loads this (bench.ladder_settings), on a copy of the bench's
database; the product never mounts these endpoints.
"""

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI
from ninja.responses import NinjaJSONEncoder

from kesu.api import StrictJsonParser, TokenAuth
from kesu.api import api as kesu_api
from kesu.complaints import actions, numbering, payloads
from kesu.complaints.api import record
from kesu.complaints.models import Complaint
from kesu.complaints.schemas import RegisterIn
from kesu.core.rows import PreparedInsert
from kesu.policies.queries import current_policy
from kesu.urls import urlpatterns as kesu_urlpatterns

probe = NinjaAPI(
    title="Kesu bench ladder",
    auth=[TokenAuth()],
    parser=StrictJsonParser(),
    urls_namespace="bench-ladder",
    docs_url=None,
    openapi_url=None,
)
for _exc_class, _handler in kesu_api._exception_handlers.items():  # the product's error answers
    probe.add_exception_handler(_exc_class, _handler)

PROBE_TABLE = "bench_ladder_probe"
# What the worker's first request registered for real: its record (every rung answers it)
# and the INSERTs of its complaint and event rows as stored (write_rows sends them again).
_first: dict = {}


def _respond(body: dict) -> JsonResponse:
    return JsonResponse(
        body, status=201, encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )


def _first_registration(request: HttpRequest, payload: RegisterIn):
    """Register the worker's first request for real, keeping its record and rows."""
    complaint, _created = actions.register(payloads.new_complaint(payload), actor=request.user)
    stored = Complaint.objects.get(pk=complaint.pk)
    # PreparedInsert leaves the primary key out: these are the same rows, as new rows.
    rows = (PreparedInsert(stored), PreparedInsert(stored.events.get()))
    _first.update(record=record(complaint), rows=rows)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (body text)")
    return _first["record"]


def _rung(name: str, write):
    """A rung's endpoint: the worker's first request registers for real; every later one
    does `validate`'s part, then `write(request)` (nothing for `validate` itself)."""

    def view(request: HttpRequest, payload: RegisterIn):
        if not _first:
            return _respond(_first_registration(request, payload))
        payloads.new_complaint(payload)
        if write is not None:
            write(request)
        return _respond(_first["record"])

    view.__name__ = name
    probe.post(f"/{name}")(view)


def _write_small(request: HttpRequest) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PROBE_TABLE} (body) VALUES (%s)",
            [request.body.decode()],
        )


def _write_rows(request: HttpRequest) -> None:
    complaint_row, event_row = _first["rows"]
    pattern, local = current_policy().number_pattern, timezone.localtime()
    with transaction.atomic():
        prefix = numbering.prefix_for(pattern, local)  # numbered as registration numbers
        number = numbering.format_number(pattern, local, numbering.next_sequence(prefix))
        complaint_row.set(number=number).execute()
        event_row.set(complaint_id=complaint_row.instance.pk).execute()


_rung("validate", None)
_rung("write_small", _write_small)
_rung("write_rows", _write_rows)

urlpatterns = [path("bench-ladder/", probe.urls), *kesu_urlpatterns]
