"""What every request must be before a view reads it, and how the edge refuses it.

`RequestEdgeMiddleware` answers, the same way on SQLite and PostgreSQL and for every entrance
(REST API, workspace, portal, admin):

- a body larger than the server reads: 413 before any of it is read (multipart: one
  attachment and its form; any other body: Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`), and the
  same 413 when a multipart body's fields turn out larger than that while it is parsed;
- a malformed body (multipart without a boundary, too many fields, a body cut short): 400;
- text that no database column can hold — the NUL character, or a lone UTF-16 surrogate —
  in the path, the query, a header or a form field: 400, or for a named query parameter of
  the API 422 with its name (PostgreSQL refuses NUL in text; SQLite would store it, and
  neither can encode a lone surrogate). JSON bodies are checked by the API's parser, which
  names the field (`kesu.api`);
- under `/api/`, every refusal and error the views did not shape — an unknown route, a
  method the route does not take, a server error — as JSON `{code, detail, errors}` like
  every other answer of the API.

People at a form get a short page to read instead of JSON.
"""

from __future__ import annotations

import logging
from itertools import chain
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import resolve_url
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.log import log_response
from django.utils.translation import gettext as _

from kesu.core.codes import EdgeCode, other_status
from kesu.core.text import printable, unstorable

_FORM_OVERHEAD = 1024 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_error(code: EdgeCode | str, detail: str, status: int, errors=None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "detail": detail, "errors": errors or []},
        status=status,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def _page(status: int, detail: str, hint: str = "") -> HttpResponse:
    """A person at a form: a page to read."""
    hint_html = f"<p>{escape(hint)}</p>" if hint else ""
    return HttpResponse(
        f'<!doctype html><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><p role="alert">'
        f"{escape(detail)}</p>{hint_html}",
        status=status,
    )


# What an error answer of the API says when the view did not say it (a route that does not
# exist, a method the route does not take, a server error).
def _status_words(status: int) -> tuple[str, str]:
    words = {
        400: (EdgeCode.BAD_REQUEST, _("The request is malformed.")),
        401: (
            EdgeCode.UNAUTHENTICATED,
            _("Log in, or send a valid token as “Authorization: Bearer <token>”."),
        ),
        403: (EdgeCode.FORBIDDEN, _("You may not do this.")),
        404: (EdgeCode.NOT_FOUND, _("Not found.")),
        405: (
            EdgeCode.METHOD_NOT_ALLOWED,
            _("This address does not take the method %(method)s."),
        ),
        413: (EdgeCode.REQUEST_TOO_LARGE, _("The request is too large.")),
        415: (EdgeCode.UNSUPPORTED_MEDIA_TYPE, _("This type of content is not accepted here.")),
    }
    if status in words:
        return words[status]
    if status >= 500:
        # A failure after a commit (a notification queued, the answer rendered) leaves the
        # change made: the caller must look before doing it again.
        return EdgeCode.SERVER_ERROR, _(
            "Something went wrong on our side. It may or may not have been done; reload the "
            "page or read the complaint again before you retry."
        )
    return other_status(status), _("The request was refused.")


class RequestEdgeMiddleware:
    """See the module's docstring. Placed after LocaleMiddleware: its answers are translated."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._refusal(request)
        if response is None:
            response = self.get_response(request)
        if is_api(request):
            response = _as_json(request, response)
        return response

    # ------------------------------------------------------------------ before the view

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if (too_large := _too_large(request)) is not None:
            return too_large
        if unstorable(request.path_info):
            return self._bad_text(
                request, _("The address contains a character that is not allowed.")
            )
        # One search over all the headers, and one over the whole query (the fields at fault
        # are looked for only then): this runs before every request.
        headers = [v for k, v in request.META.items() if k[:5] == "HTTP_" and type(v) is str]
        if unstorable("\n".join(headers)):
            return self._bad_text(request, _("A header contains a character that is not allowed."))
        try:
            query = request.GET
            if query and unstorable("\n".join(chain(query, *dict.values(query)))):
                fields = [key for key, values in query.lists() if _bad(key, values)]
                return self._bad_fields(request, fields)
        except UnicodeError:  # a server that passed the query on as text it could not be
            return self._bad_text(request, _("The request is malformed."))
        if request.method in ("POST", "PUT", "PATCH") and not is_api(request) and _is_form(request):
            try:  # parsed here rather than in the view: Django parses it once either way
                fields = [key for key, values in request.POST.lists() if _bad(key, values)]
                fields += [
                    key
                    for key, files in request.FILES.lists()
                    if _bad(key, [f.name or "" for f in files])
                ]
            except Exception as error:  # the same refusals as when a view parses it
                if (answer := body_refusal(request, error)) is not None:
                    return answer
                raise
            if fields:
                return self._bad_fields(request, fields)
        return None

    def _bad_text(self, request: HttpRequest, detail: str) -> HttpResponse:
        if is_api(request):
            return api_error(EdgeCode.BAD_REQUEST, detail, 400)
        return _page(400, detail)

    def _bad_fields(self, request: HttpRequest, fields: list[str]) -> HttpResponse:
        message = _("Text may not contain the NUL character or an unpaired surrogate.")
        if is_api(request):
            errors = [{"field": printable(f), "message": message} for f in fields]
            return api_error(EdgeCode.INVALID, _("The data is not valid."), 422, errors)
        return _page(400, message, _("Go back and correct what you typed."))

    # ------------------------------------------------------------------ raised by a view

    def process_exception(self, request: HttpRequest, exception: Exception):
        return body_refusal(request, exception)


# What Django raises while it reads a body it cannot read (see `body_refusal`).
BODY_EXCEPTIONS = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
    SuspiciousOperation,
    BadRequest,
)


def body_refusal(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """A body Django could not read, answered as such (413 or 400) instead of a server error
    with its traceback in the log; None for any other exception.

    What Django logs, Kesu logs on the same loggers: a suspicious operation on
    `django.security.<its class>` (an error, with its traceback; a body too large or with too
    many fields as a warning, without one: a person's oversized upload is not the server's
    fault), a bad request on `django.request`."""
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        _security_log(exception).warning("%s: %s", exception, request.path)
    if isinstance(exception, RequestDataTooBig):
        return _size_refusal(request, None)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        detail = _("The request has too many fields or files.")
    elif isinstance(exception, MultiPartParserError):
        detail = _("The form data (multipart) is malformed: %(error)s") % {"error": str(exception)}
    elif isinstance(exception, UnreadablePostError):
        detail = _("The request body could not be read completely.")
    elif isinstance(exception, (SuspiciousOperation, BadRequest)):
        answer = _bad_request(request, _("The request is malformed."))
        if isinstance(exception, SuspiciousOperation):  # as django.core.handlers.exception
            log_response(
                str(exception),
                exception=exception,
                request=request,
                response=answer,
                level="error",
                logger=_security_log(exception),
            )
        else:
            log_response(
                "%s: %s", str(exception), request.path, response=answer, request=request,
                exception=exception,
            )  # fmt: skip
        return answer
    else:
        return None
    return _bad_request(request, detail)


def _bad_request(request: HttpRequest, detail: str) -> HttpResponse:
    if is_api(request):
        return api_error(EdgeCode.BAD_REQUEST, detail, 400)
    return _page(400, detail)


def _security_log(exception: Exception) -> logging.Logger:
    return logging.getLogger(f"django.security.{exception.__class__.__name__}")


def _bad(key: str, values: list[str]) -> bool:
    return unstorable(key) or any(unstorable(v) for v in values)


def _is_form(request: HttpRequest) -> bool:
    return (request.content_type or "") in _FORM_TYPES


def _too_large(request: HttpRequest) -> HttpResponse | None:
    """The declared length against what this kind of body may be, before reading any of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if not length:
        return None
    if (request.META.get("CONTENT_TYPE") or "").startswith("multipart/"):
        limit = settings.KESU_ATTACHMENT_MAX_BYTES + _FORM_OVERHEAD
    elif settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    else:
        return None
    if length <= limit:
        return None
    return _size_refusal(request, length, limit)


def _size_refusal(request: HttpRequest, length: int | None, limit: int | None = None):
    multipart = (request.META.get("CONTENT_TYPE") or "").startswith("multipart/")
    if limit is None:
        limit = (
            settings.KESU_ATTACHMENT_MAX_BYTES + _FORM_OVERHEAD
            if multipart
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
    if length is None:  # the fields of a form were larger than Django reads into memory
        detail = _("The form's fields are larger than %(limit)s MB.") % {
            "limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    else:
        detail = _("The request is %(size)s MB; at most %(limit)s MB is accepted.") % {
            "size": _megabytes(length),
            "limit": _megabytes(limit),
        }
    if not is_api(request):
        return _page(413, detail, _("Go back and choose smaller files."))
    code = EdgeCode.FILE_TOO_LARGE if multipart else EdgeCode.REQUEST_TOO_LARGE
    return api_error(code, detail, 413)


def _megabytes(size: int) -> float:
    return round(size / 1048576, 1)


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An error answer of the API that is not JSON yet (Django's or django-ninja's own)."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    code, detail = _status_words(response.status_code)
    if response.status_code == 405:
        detail = detail % {"method": request.method}
    answer = api_error(code, detail, response.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            answer[header] = response[header]
    return answer


# ------------------------------------------------------------------------------ expired sessions


class BackgroundRedirectMiddleware:
    """A form `core/forms.js` sends in the background (to keep the files chosen in it across a
    refusal) is not redirected when it succeeds: fetch would follow the redirect itself, so the
    next page's messages would be shown to nobody and its #fragment lost. It gets 204 and the
    address in `X-Kesu-Location`, and the script goes there. Placed before (around) every
    middleware that may answer with a redirect."""

    REDIRECTS = frozenset({301, 302, 303, 307, 308})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("X-Kesu-Background") != "1"
            or response.status_code not in self.REDIRECTS
        ):
            return response
        answer = HttpResponse(status=204)
        answer["X-Kesu-Location"] = response["Location"]
        for cookie in response.cookies.values():  # e.g. a new session or language cookie
            answer.cookies[cookie.key] = cookie
        return answer


class SessionExpiryMiddleware:
    """What a request from an expired (or logged-out) session gets instead of a page it
    cannot use, for every view that sends such a request to the login page:

    - an htmx request (a panel, "load more", a poll) would follow the redirect and have the
      login page swapped into the panel: it gets `HX-Redirect` to the login page instead, whose
      `next` is the page the person was on (not the fragment's address);
    - a posted form was not saved: the login page says so, and the form's own script
      (`core/forms.js`, which kept what was typed in the tab's sessionStorage when the form was
      sent) fills it in again on the form's page after the login.

    Placed after the authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated or not _to_login(response):
            return response
        if request.headers.get("HX-Request") == "true":  # a panel, not a form that was sent
            messages.warning(request, expired_words(sent=False), extra_tags="kept")
            answer = HttpResponse(status=200)
            answer["HX-Redirect"] = login_url_for(htmx_page(request))
            return answer
        if request.method == "POST":
            messages.warning(request, expired_words(sent=True), extra_tags="kept")
        return response


def expired_words(*, sent: bool) -> str:
    if sent:
        return _(
            "Your session had expired, so what you sent was not saved. Log in again: the "
            "form will be filled in again with what you typed, for you to check and send."
        )
    return _("Your session has expired. Log in again: what you had typed will be filled in again.")


def _to_login(response: HttpResponse) -> bool:
    if response.status_code != 302:
        return False
    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)


def htmx_page(request: HttpRequest) -> str:
    """The page an htmx request came from (its path and query), if it is one of ours."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def login_url_for(next_page: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_page})}"
