"""The error answer every REST operation documents: `{code, detail, errors}` (`kesu.api`
writes it; its codes are `kesu.core.codes.EdgeCode` and the domain's `ErrorCode`).

Here, below every app, so that each area's router documents its refusals without importing
another area (people and departments are read by a router of `kesu.accounts`, under the
domain).
"""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[dict[str, str]] = []


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation documents: 400 (a malformed request) and 401 (no valid
    token) for every one, and `statuses`."""
    return dict.fromkeys(sorted({400, 401, *statuses}), ErrorOut)
