"""The REST API root: authentication, error shapes, and the routers of each area."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from kesu import __version__
from kesu.accounts.models import ApiToken, Department, User, hash_token
from kesu.complaints.errors import ComplaintError, ErrorCode, invalid
from kesu.core.codes import EdgeCode, other_status
from kesu.core.encoding import LocalTimeEncoder
from kesu.core.keyset import InvalidCursor
from kesu.core.memo import forget_on_change, memo
from kesu.core.middleware import BODY_EXCEPTIONS, body_refusal
from kesu.core.text import printable, unstorable
from kesu.core.validation import error_message


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


def _bearer(request: HttpRequest) -> bool:
    """Whether the request carries a bearer token (the scheme is case-insensitive, RFC 9110)."""
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    return scheme.lower() == "bearer"


class CsrfRefused(Exception):
    """A logged-in browser's unsafe request without its CSRF token."""


class SessionAuth(NinjaSessionAuth):
    """The workspace's login session (the browsable docs, scripts in the browser). It is asked
    only when the request carries no bearer token and someone is logged in: a bearer request
    (valid or not) and an anonymous one are answered 401, never a CSRF refusal; a logged-in
    browser's unsafe request still needs its CSRF token (403). Another scheme in the
    `Authorization` header (Basic or Negotiate, added by a proxy in front) is not Kesu's and
    leaves the session as it is."""

    def __call__(self, request: HttpRequest):
        if _bearer(request) or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest):
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfRefused
        return request.COOKIES.get(self.param_name)


class MalformedBody(ValueError):
    """A body that is not JSON text, with the words that say where."""


def _no_constant(name: str):
    raise MalformedBody(
        _("The request body is not valid JSON: %(value)s is not a number.") % {"value": name}
    )


def _unstorable_paths(value, path: str = ""):
    """Where a parsed JSON value holds text no database can store (NUL, a lone surrogate)."""
    if isinstance(value, str):
        if unstorable(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if unstorable(key):
                yield printable(where)
            else:
                yield from _unstorable_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_paths(item, f"{path}.{index}" if path else str(index))


class StrictJsonParser(Parser):
    """JSON as RFC 8259 has it: UTF-8 text, no NaN or Infinity; text a database can store.
    A query parameter that is not a list is given once."""

    def parse_body(self, request: HttpRequest):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedBody(
                _("The request body is not UTF-8 text (invalid byte at position %(position)s).")
                % {"position": error.start}
            ) from None
        data = json.loads(text, parse_constant=_no_constant)
        if bad := list(_unstorable_paths(data)):
            message = _("Text may not contain the NUL character or an unpaired surrogate.")
            raise ComplaintError(
                ErrorCode.INVALID, _("The data is not valid."), dict.fromkeys(bad, message)
            )
        return data

    def parse_querydict(self, data, list_fields, request):
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            message = _("Give this parameter once.")
            raise ComplaintError(
                ErrorCode.INVALID, _("The data is not valid."), dict.fromkeys(repeated, message)
            )
        return super().parse_querydict(data, list_fields, request)


class Renderer(JSONRenderer):
    """Instants in local time with their offset (`kesu.core.encoding`)."""

    encoder_class = LocalTimeEncoder


api = NinjaAPI(
    title="Kesu API",
    version=__version__,
    description=(
        "Customer complaints from registration to the closed case. Authenticate with "
        "`Authorization: Bearer <token>` (`kesu token create USERNAME`). Every answer is JSON; "
        "errors are `{code, detail, errors: [{field, message}]}`: 400 malformed request, 401 "
        "unauthenticated, 403 your role or authority does not allow it, 404 not found or not "
        "visible to you, 405 method not allowed, 409 the state does not allow it (or someone "
        "changed it first), 413 body or file too large, 415 file of a refused type, 422 invalid "
        "data (every field at fault). Instants are RFC 3339 with their offset; the API writes "
        "them in local time (`2026-11-21T09:30:00+08:00`)."
    ),
    auth=[TokenAuth(), SessionAuth()],
    parser=StrictJsonParser(),
    renderer=Renderer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request, code: EdgeCode | ErrorCode | str, detail: str, status: int, errors=None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "detail": detail, "errors": errors or []}, status=status
    )


@api.exception_handler(ComplaintError)
def _complaint_error(request, exc: ComplaintError):
    errors = [{"field": f, "message": str(m)} for f, m in exc.fields.items()]
    return error_response(request, exc.code, str(exc.message), exc.status, errors)


@api.exception_handler(InvalidCursor)
def _invalid_cursor(request, exc: InvalidCursor):
    """Every list's `cursor` parameter: invalid data in that field, as any other."""
    return _complaint_error(request, invalid("cursor", exc.message))


_SKIP_LOC = {"body", "payload", "query", "path", "filters", "form", "file"}


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if str(part) not in _SKIP_LOC]
        errors.append(
            {"field": ".".join(loc) or "body", "message": error_message(error, for_program=True)}
        )
    return error_response(request, ErrorCode.INVALID, _("The data is not valid."), 422, errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request,
        EdgeCode.UNAUTHENTICATED,
        _("Log in, or send a valid token as “Authorization: Bearer <token>”."),
        401,
    )


@api.exception_handler(CsrfRefused)
def _csrf_refused(request, exc):
    return error_response(
        request,
        EdgeCode.CSRF_FAILED,
        _(
            "A logged-in browser sends its CSRF token with this request (header X-CSRFToken); "
            "a program authenticates with “Authorization: Bearer <token>” instead."
        ),
        403,
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, ComplaintError):  # refused while the body was parsed
        return _complaint_error(request, cause)
    if isinstance(cause, BODY_EXCEPTIONS):
        return body_refusal(request, cause)
    if exc.status_code == 400 and cause is not None:  # django-ninja could not parse the body
        if isinstance(cause, MalformedBody):
            detail = str(cause)
        elif isinstance(cause, json.JSONDecodeError):
            where = {"line": cause.lineno, "column": cause.colno}
            detail = _("The request body is not valid JSON (line %(line)s, column %(column)s).")
            detail %= where
        else:  # nested too deep, a number too long, …
            detail = _("The request body is not valid JSON.")
        return error_response(request, EdgeCode.MALFORMED_JSON, detail, 400)
    return error_response(request, other_status(exc.status_code), str(exc), exc.status_code)


def _unreadable_body(request, exc):
    return body_refusal(request, exc)


for _unreadable in BODY_EXCEPTIONS:  # answered here too when DEBUG makes ninja render errors
    api.add_exception_handler(_unreadable, _unreadable_body)


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
    from kesu.reports.api import router as reports_router

    api.add_router("/", complaints_router)
    api.add_router("/", accounts_router)
    api.add_router("/", notifications_router)
    api.add_router("/", calendar_router)
    api.add_router("/reports/", reports_router)


_add_routers()
