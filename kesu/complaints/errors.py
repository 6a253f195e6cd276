"""Coded refusals. The API maps codes to HTTP status; people read the translated message."""

from enum import StrEnum

from django.utils.functional import Promise

from kesu.core.codes import EdgeCode


class ErrorCode(StrEnum):
    """The domain's refusals; those that mean what an edge code means take its value."""

    NOT_FOUND = EdgeCode.NOT_FOUND.value  # 404
    WRONG_STATE = "wrong_state"  # 409: the state does not allow the action
    WRONG_KIND = "wrong_kind"  # 409: the kind does not allow the action
    STALE_VERSION = "stale_version"  # 409: someone else changed it first
    ROLE_NOT_ALLOWED = "role_not_allowed"  # 403: the role never takes this action
    NOT_AUTHORISED = "not_authorised"  # 403: this person may not, on this complaint
    INVALID = EdgeCode.INVALID.value  # 422: bad data, see field errors
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"  # 422: key reused for another request
    FILE_TOO_LARGE = EdgeCode.FILE_TOO_LARGE.value  # 413
    FILE_TYPE = "file_type"  # 415


HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.WRONG_STATE: 409,
    ErrorCode.WRONG_KIND: 409,
    ErrorCode.STALE_VERSION: 409,
    ErrorCode.ROLE_NOT_ALLOWED: 403,
    ErrorCode.NOT_AUTHORISED: 403,
    ErrorCode.INVALID: 422,
    ErrorCode.IDEMPOTENCY_MISMATCH: 422,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.FILE_TYPE: 415,
}


class ComplaintError(Exception):
    """A refusal with a code, a message for people and, for INVALID, the fields at fault."""

    def __init__(
        self,
        code: ErrorCode,
        message: str | Promise,
        fields: dict[str, str | Promise] | None = None,
    ):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]


def not_found(number: str) -> ComplaintError:
    """No such complaint, or one the caller may not see: the same answer for both, so it never
    tells whether a number exists."""
    from django.utils.translation import gettext_lazy as _

    return ComplaintError(
        ErrorCode.NOT_FOUND, _("Complaint %(number)s does not exist.") % {"number": number}
    )


def invalid(field: str, message: str | Promise) -> ComplaintError:
    from django.utils.translation import gettext_lazy as _

    return ComplaintError(ErrorCode.INVALID, _("The data is not valid."), {field: message})


class FieldErrors:
    """Every field at fault, gathered before refusing: one `ComplaintError(INVALID)` names
    them all, so a caller corrects everything at once. The first message of a field stands.

        errors = FieldErrors()
        summary = errors.required(summary, "summary", _("Record what was agreed."))
        if promised_at <= registered_at:
            errors.add("promised_at", _("The promised deadline must be after registration."))
        errors.check()
    """

    def __init__(self) -> None:
        self.fields: dict[str, str | Promise] = {}

    def add(self, field: str, message: str | Promise) -> None:
        self.fields.setdefault(field, message)

    def absorb(self, error: ComplaintError) -> None:
        """The fields of an INVALID refusal raised by a helper; any other refusal goes on."""
        if error.code != ErrorCode.INVALID or not error.fields:
            raise error
        for field, message in error.fields.items():
            self.add(field, message)

    def required(self, value: str | None, field: str, message: str | Promise) -> str:
        """`value` without surrounding blanks; blank is a fault of `field`."""
        text = (value or "").strip()
        if not text:
            self.add(field, message)
        return text

    def __bool__(self) -> bool:
        return bool(self.fields)

    def check(self) -> None:
        """Refuse with every field at fault, if any."""
        if self.fields:
            from django.utils.translation import gettext_lazy as _

            raise ComplaintError(ErrorCode.INVALID, _("The data is not valid."), dict(self.fields))
