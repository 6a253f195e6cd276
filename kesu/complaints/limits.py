"""How long each text of a complaint may be: the one place these numbers are written.

The model's columns (`max_length`), the API's `RegisterIn` and action shapes, the clerk's
registration and action forms (drawn from those shapes), the customer's public form and the
portal's answers, the Excel/CSV import and the domain's own check in `actions.register` all
read them from here, so a value one entrance takes is taken by every other, and a value one
refuses is refused by all: the same action takes the same text through the API, the
workspace and the portal. Nothing is ever cut to fit: a value that is too long is refused
with its field, the limit and its actual length.

Descriptions and demands are `TextField`s, unlimited in the database; their limits are the
product's, kept below the 32,767 characters of an Excel cell so that every complaint exports
whole.
"""

from django.utils.translation import gettext as _

NUMBER = 32
TITLE = 200
DESCRIPTION = 20_000
DEMAND = 10_000
OCCURRED_PLACE = 200
COMPLAINANT_NAME = 100
COMPLAINANT_ORG = 200
PHONE = 32
EMAIL = 254
ADDRESS = 300
PRODUCT_MODEL = 100
BATCH_NO = 100
ORDER_NO = 100
PROJECT_NAME = 200
PROJECT_LOCATION = 200
SEVERITY_REASON = 10_000
IDEMPOTENCY_KEY = 200  # the `Idempotency-Key` header of a registration (a retry's key)

# What people write when they act on a complaint: a reason, a comment, a summary, a report,
# findings, a message to or from the customer, a survey's remarks.
ACTION_TEXT = 10_000
MEASURE = 2_000  # one measure of a plan
RESPONSIBLE_PERSON = 100  # the person responsible for the cause (determine)
AUTHORITY = 200  # the external authority a disputed determination is referred to (appeal)

# By the complaint's field names (`Complaint`, `NewComplaint`, the import's column codes).
COMPLAINT_TEXT: dict[str, int] = {
    "number": NUMBER,
    "title": TITLE,
    "description": DESCRIPTION,
    "demand": DEMAND,
    "occurred_place": OCCURRED_PLACE,
    "complainant_name": COMPLAINANT_NAME,
    "complainant_org": COMPLAINANT_ORG,
    "complainant_phone": PHONE,
    "complainant_email": EMAIL,
    "complainant_address": ADDRESS,
    "product_model": PRODUCT_MODEL,
    "batch_no": BATCH_NO,
    "order_no": ORDER_NO,
    "project_name": PROJECT_NAME,
    "project_location": PROJECT_LOCATION,
    "severity_reason": SEVERITY_REASON,
}

# An Excel cell holds at most this many characters (openpyxl cuts longer text silently).
XLSX_CELL = 32_767
assert max(COMPLAINT_TEXT.values()) <= XLSX_CELL


def too_long(value: str, limit: int) -> str | None:
    """The refusal of a text longer than `limit`, naming the limit and its length; else None."""
    if len(value) <= limit:
        return None
    return _("At most %(limit)d characters; this has %(length)d.") % {
        "limit": limit,
        "length": len(value),
    }
