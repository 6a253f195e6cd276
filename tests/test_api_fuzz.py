"""The OpenAPI document and the endpoints agree: a short property-based run of schemathesis
over every operation, with data the document allows (each answer documented, in its
documented shape, never a server error) and data it forbids (refused with a 4xx).

Deterministic (hypothesis derandomised), a few examples per operation, on the database the
suite runs on (SQLite or PostgreSQL). Requests go through the whole WSGI stack, middleware
included, with a bearer token: as the intake clerk, and (fewer examples) as a customer
account, whose answers have the customer's shapes and whose actions are refused.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kesu.accounts.actions import create_token, create_user
from kesu.accounts.choices import Role
from kesu.api import api
from kesu.complaints.models import Complaint
from kesu.portal import links
from tests.conftest import Api, complaint_payload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Examples per operation and mode, by caller: the whole run stays well under a minute.
EXAMPLES = {"intake clerk": 10, "customer account": 3}

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = WSGIHandler()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _checks(operation, mode):
    # The WSGI transport (werkzeug) leaves an empty multipart field out instead of sending
    # it, so a "forbidden" empty value for the upload's `visibility` arrives as no value at
    # all, which the document allows; everything else is checked there too.
    if mode == GenerationMode.NEGATIVE and "multipart/form-data" in str(operation.definition):
        return [check for check in CHECKS if check is not negative_data_rejection]
    return CHECKS


def _caller(caller: str, people) -> tuple[Api, str]:
    """The caller, and a complaint it can read."""
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    if caller == "intake clerk":
        return intake, number
    account = create_user("wangwei", role=Role.CUSTOMER, name="王伟")
    links.save_to_account(links.current(Complaint.objects.get(number=number)), account)
    return Api(account, create_token(account)), number


@pytest.mark.parametrize("caller", list(EXAMPLES))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_its_document_says(operation, mode, caller, people):
    api_caller, number = _caller(caller, people)
    path = {"number": number} if "{number}" in operation.path else None
    headers = {"Authorization": f"Bearer {api_caller.token}"}
    checks = _checks(operation, mode)

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES[caller],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exchange(case):
        case.call_and_validate(headers=headers, checks=checks)

    # The requests run in this test's transaction: Django must not close the connection at
    # the end of each one (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        exchange()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
