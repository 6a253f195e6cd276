"""Who reads the statistics, and over which complaints (SPEC §1, §10).

Department heads read their department's figures (the complaints of their department and its
regions, and those they own: `visible_complaints`); QA reads every complaint it may see;
executives and administrators read every complaint. Handlers, intake clerks and customers are
refused with the reason: the figures of a department are its head's to read and to report.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint
from kesu.complaints.queries import visible_complaints

READERS = frozenset({Role.DEPT_HEAD, Role.QA, Role.EXECUTIVE, Role.ADMIN})
EVERYTHING = frozenset({Role.EXECUTIVE, Role.ADMIN})  # no complaint is kept from them


def refusal(user: User) -> ComplaintError | None:
    """Why `user` may not read the statistics, or None."""
    if not user.is_active or user.role not in READERS:
        return ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED,
            _(
                "The statistics are for department heads, quality assurance, executives and "
                "administrators; your role does not read them."
            ),
        )
    return None


def statistics_scope(user: User) -> QuerySet[Complaint] | None:
    """The complaints `user`'s figures count (None: every complaint, no narrowing), or the
    refusal raised."""
    if (error := refusal(user)) is not None:
        raise error
    if user.role in EVERYTHING:
        return None
    return visible_complaints(user)
