from django.conf import settings
from django.http import JsonResponse
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
            return JsonResponse(
                {
                    "code": "file_too_large",
                    "detail": _("The request is %(size)s MB; at most %(limit)s MB is accepted.")
                    % {"size": round(length / 1048576, 1), "limit": round(limit / 1048576, 1)},
                    "errors": [],
                },
                status=413,
            )
        return self.get_response(request)
