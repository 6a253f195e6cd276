"""The REST API root: authentication, error shapes, and the routers of each area."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from kesu import __version__
from kesu.accounts.models import ApiToken, Department, User, hash_token
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.core.memo import forget_on_change, memo


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `kesu token create USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str):
        key_hash = hash_token(token)

        def load():
            row = (
                ApiToken.objects.select_related("user", "user__department")
                .filter(key_hash=key_hash, revoked_at__isnull=True)
                .first()
            )
            return row.user if row is not None and row.user.is_active else None

        # A revoked token or a deactivated person stops working within 30 s in every worker.
        user = memo(f"token:{key_hash}", load, ttl=30, keep_none=False)
        if user is None:
            return None
        request.user = user
        return user


forget_on_change("token:", ApiToken, User, Department)


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest):
        return json.loads(request.body)


api = NinjaAPI(
    title="Kesu API",
    version=__version__,
    description=(
        "Customer complaints from registration to the closed case. Authenticate with "
        "`Authorization: Bearer <token>` (`kesu token create USERNAME`). Errors are "
        "`{code, detail, errors: [{field, message}]}`: 401 unauthenticated, 403 your role or "
        "authority does not allow it, 404 not found or not visible to you, 409 the state does "
        "not allow it (or someone changed it first), 413/415 file too large / of a refused "
        "type, 422 invalid data."
    ),
    auth=[TokenAuth(), django_auth],
    parser=StrictJsonParser(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request, code: str, detail: str, status: int, errors=None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "detail": detail, "errors": errors or []}, status=status
    )


@api.exception_handler(ComplaintError)
def _complaint_error(request, exc: ComplaintError):
    errors = [{"field": f, "message": str(m)} for f, m in exc.fields.items()]
    return error_response(request, exc.code, str(exc.message), exc.status, errors)


_SKIP_LOC = {"body", "payload", "query", "path", "filters", "form", "file"}


# pydantic's error types, in our words (whole sentences, translated); others keep its text
_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field: check its name."),
    "string_type": gettext_lazy("Give text."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "int_parsing": gettext_lazy("Give a whole number."),
    "int_type": gettext_lazy("Give a whole number."),
    "int_from_float": gettext_lazy("Give a whole number."),
    "decimal_parsing": gettext_lazy("Give a number."),
    "decimal_type": gettext_lazy("Give a number."),
    "decimal_max_digits": gettext_lazy("At most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("At most %(decimal_places)s decimal places."),
    "bool_parsing": gettext_lazy("Give true or false."),
    "bool_type": gettext_lazy("Give true or false."),
    "enum": gettext_lazy("Not one of the allowed values: %(expected)s."),
    "literal_error": gettext_lazy("Not one of the allowed values: %(expected)s."),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "datetime_parsing": gettext_lazy("Give a date and time such as 2026-11-21T09:30:00+08:00."),
    "datetime_from_date_parsing": gettext_lazy(
        "Give a date and time such as 2026-11-21T09:30:00+08:00."
    ),
    "datetime_type": gettext_lazy("Give a date and time such as 2026-11-21T09:30:00+08:00."),
    "date_parsing": gettext_lazy("Give a date such as 2026-11-21."),
    "date_from_datetime_parsing": gettext_lazy("Give a date such as 2026-11-21."),
    "list_type": gettext_lazy("Give a list."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "model_type": gettext_lazy("Give an object."),
    "dict_type": gettext_lazy("Give an object."),
}


def _message(error: dict) -> str:
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own validators' translated words
    template = _PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    try:
        return str(template) % {k: v for k, v in error.get("ctx", {}).items()}
    except (KeyError, TypeError, ValueError):
        return error.get("msg", "")


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if str(part) not in _SKIP_LOC]
        errors.append({"field": ".".join(loc) or "body", "message": _message(error)})
    return error_response(request, ErrorCode.INVALID, _("The data is not valid."), 422, errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request,
        "unauthenticated",
        _("Log in, or send a valid token as “Authorization: Bearer <token>”."),
        401,
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        cause = exc.__cause__
        where = {"line": getattr(cause, "lineno", "?"), "column": getattr(cause, "colno", "?")}
        return error_response(
            request,
            "malformed_json",
            _("The request body is not valid JSON (line %(line)s, column %(column)s).") % where,
            400,
        )
    return error_response(request, f"http_{exc.status_code}", str(exc), exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, ErrorCode.NOT_FOUND, _("Not found."), 404)


@api.get("/health", auth=None, include_in_schema=False)
def health(request):
    return {"status": "ok"}


def _add_routers() -> None:
    from kesu.accounts.api import router as accounts_router
    from kesu.complaints.api import router as complaints_router
    from kesu.deadlines.api import router as calendar_router
    from kesu.notifications.api import router as notifications_router

    api.add_router("/", complaints_router)
    api.add_router("/", accounts_router)
    api.add_router("/", notifications_router)
    api.add_router("/", calendar_router)


_add_routers()
