"""Mail waiting for a person's decision: held for review because the receiving server judged
it spam or forged. It was neither registered nor answered; administrators see how many wait,
on the workspace's pages and in the admin's list of received mail, where they register one
anyway or dismiss it as not a customer's (dismissed mail is kept, and no longer counted)."""

from dataclasses import dataclass

from kesu.mail.choices import MailOutcome, MailReview
from kesu.mail.models import InboundMail

REVIEW_PERMISSION = "mail.view_inboundmail"
COUNT_CAP = 100  # counted up to this many; more is shown as "99+"


@dataclass(frozen=True)
class HeldCount:
    count: int  # at most COUNT_CAP
    shown: str  # "3", or "99+"


def held_count() -> HeldCount:
    """How many messages are held and not dismissed: at most `COUNT_CAP` rows of the
    `inboundmail_held` partial index, asked on every workspace page of those who review."""
    count = waiting().order_by()[:COUNT_CAP].count()
    return HeldCount(count, f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else str(count))


def waiting():
    """Held mail nobody has dismissed (the condition of the `inboundmail_held` index)."""
    return InboundMail.objects.filter(outcome=MailOutcome.HELD).exclude(review=MailReview.DISMISSED)


def may_review(user) -> bool:
    return bool(getattr(user, "is_staff", False)) and user.has_perm(REVIEW_PERMISSION)
