"""The REST API root: authentication, error shapes, and the routers of each area."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
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


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if str(part) not in _SKIP_LOC]
        errors.append({"field": ".".join(loc) or "body", "message": error.get("msg", "")})
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
        return error_response(
            request,
            "malformed_json",
            _("The request body is not valid JSON: %(error)s") % {"error": exc.__cause__},
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

    api.add_router("/", complaints_router)
    api.add_router("/", accounts_router)


_add_routers()
