"""The codes of the answers the API's edge gives by itself (`{code, detail, errors}`): before
a view runs, around it, or for what no view shaped (`kesu.core.middleware`, `kesu.api`).

The domain's refusals have their own codes (`kesu.complaints.errors.ErrorCode`), which take
these values where they mean the same thing (not found, invalid data, a file too large), so
one code never has two spellings.
"""

from enum import StrEnum


class EdgeCode(StrEnum):
    BAD_REQUEST = "bad_request"  # 400: malformed (text no database stores, a broken body)
    MALFORMED_JSON = "malformed_json"  # 400: the body is not JSON
    UNAUTHENTICATED = "unauthenticated"  # 401: no valid token (or login)
    CSRF_FAILED = "csrf_failed"  # 403: a logged-in browser without its CSRF token
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
    REQUEST_TOO_LARGE = "request_too_large"  # 413: a body larger than the server reads
    FILE_TOO_LARGE = "file_too_large"  # 413: a multipart body (an attachment) too large
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415
    INVALID = "invalid"  # 422: bad data, see the field errors
    SERVER_ERROR = "server_error"  # 5xx


def other_status(status: int) -> str:
    """The code of an error status none of the above names: `http_<status>`."""
    return f"http_{status}"
