from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

_FORM_OVERHEAD = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse a body larger than one attachment (plus its form) before reading any of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.KESU_ATTACHMENT_MAX_BYTES
        if length > limit + _FORM_OVERHEAD:
            detail = _("The request is %(size)s MB; at most %(limit)s MB is accepted.") % {
                "size": round(length / 1048576, 1),
                "limit": round(limit / 1048576, 1),
            }
            if not request.path.startswith("/api/"):  # a person at a form: a page to read
                back = _("Go back and choose smaller files.")
                return HttpResponse(
                    f'<!doctype html><meta charset="utf-8"><meta name="viewport" '
                    f'content="width=device-width, initial-scale=1"><p role="alert">'
                    f"{escape(detail)}</p><p>{escape(back)}</p>",
                    status=413,
                )
            return JsonResponse(
                {"code": "file_too_large", "detail": detail, "errors": []}, status=413
            )
        return self.get_response(request)
