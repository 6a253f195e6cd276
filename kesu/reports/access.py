"""Which complaint's documents a person may take: staff who may see the complaint (SPEC §1's
row visibility, `authority.can_see`). A customer account reads its complaint in the portal,
not these internal documents. Anything else is answered as a complaint that does not exist."""

from kesu.accounts.models import User
from kesu.complaints.authority import can_see
from kesu.complaints.errors import not_found
from kesu.complaints.models import Complaint
from kesu.complaints.queries import complaint_by_number


def visible(user: User, number: str) -> Complaint | None:
    complaint = complaint_by_number(number)
    if complaint is None or not can_see(user, complaint):
        return None
    return complaint


def visible_or_not_found(user: User, number: str) -> Complaint:
    """The complaint, or `errors.not_found` (404), as the complaints API answers."""
    if (complaint := visible(user, number)) is None:
        raise not_found(number)
    return complaint
