"""Who reads the statistics, and over which complaints (SPEC §1, §10); which complaint's
documents a person may take.

Department heads read their department's figures (the complaints of their department and its
regions, and those they own: `visible_complaints`); QA reads every complaint it may see;
executives and administrators read every complaint. Handlers, intake clerks and customers are
refused with the reason: the figures of a department are its head's to read and to report.

A complaint's documents go to staff who may see the complaint (SPEC §1's row visibility,
`authority.can_see`). A customer account reads its complaint in the portal, not these internal
documents. Anything else is answered as a complaint that does not exist.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.authority import can_see, department_scope
from kesu.complaints.errors import ComplaintError, ErrorCode, not_found
from kesu.complaints.models import Complaint
from kesu.complaints.queries import complaint_by_number, visible_complaints

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


# ------------------------------------------------------------------------------ the archive
# 归档 (S1-(二)2b, S3A-§5.8): QA files the period's closed complaints; executives and
# administrators may take the archive too. QA's reach is the complaints it may see.

ARCHIVISTS = frozenset({Role.QA, Role.EXECUTIVE, Role.ADMIN})


def archive_scope(user: User) -> QuerySet[Complaint] | None:
    """The complaints `user` archives (None: every one), or the refusal raised."""
    if not user.is_active or user.role not in ARCHIVISTS:
        raise ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED,
            _(
                "The archive of a period is for quality assurance, executives and "
                "administrators; your role does not take it."
            ),
        )
    return None if user.role in EVERYTHING else visible_complaints(user)


# ------------------------------------------------------------------------------ scorecards
# 考核 (SPEC §10): a head reads the scorecards of their department (and those below it) and of
# its people; QA, executives and administrators every scorecard; a handler their own only.


@dataclass(frozen=True)
class ScorecardScope:
    """What one person reads of the scorecards: the complaints the figures count (None:
    all), the departments and the people who get a card (None: all; empty: none)."""

    complaints: QuerySet[Complaint] | None
    departments: frozenset[int] | None
    people: frozenset[int] | None

    def only(self, level: str) -> frozenset[int] | None:
        return self.departments if level == "department" else self.people

    def sees(self, level: str, subject_id: int) -> bool:
        allowed = self.only(level)
        return allowed is None or subject_id in allowed


SCORECARD_READERS = READERS | {Role.HANDLER}


def scorecard_refusal(user: User) -> ComplaintError | None:
    """Why `user` may not read any scorecard, or None."""
    if not user.is_active or user.role not in SCORECARD_READERS:
        return ComplaintError(
            ErrorCode.ROLE_NOT_ALLOWED,
            _(
                "The scorecards are for department heads, quality assurance, executives and "
                "administrators, and each handler's own; your role does not read them."
            ),
        )
    return None


def scorecard_scope(user: User) -> ScorecardScope:
    """`user`'s reach over the scorecards, or the refusal raised."""
    if (error := scorecard_refusal(user)) is not None:
        raise error
    if user.role in EVERYTHING:
        return ScorecardScope(None, None, None)
    complaints = visible_complaints(user)
    if user.role == Role.QA:
        return ScorecardScope(complaints, None, None)
    if user.role == Role.HANDLER:  # their own card; no department's
        return ScorecardScope(complaints, frozenset(), frozenset({user.pk}))
    departments = department_scope(user)
    people = frozenset(User.objects.filter(department__in=departments).values_list("pk", flat=True))
    return ScorecardScope(complaints, departments, people | {user.pk})
