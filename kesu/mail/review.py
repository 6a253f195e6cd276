"""Mail waiting for a person's decision: held for review because the receiving server judged
it spam or forged. It was neither registered nor answered; administrators see how many wait,
on the workspace's pages and in the admin's list of received mail, where they register one
anyway or leave it."""

from kesu.mail.choices import MailOutcome
from kesu.mail.models import InboundMail

REVIEW_PERMISSION = "mail.view_inboundmail"


def held_count() -> int:
    """How many messages are held (the `inboundmail_held` partial index: a few rows)."""
    return InboundMail.objects.filter(outcome=MailOutcome.HELD).count()


def may_review(user) -> bool:
    return bool(getattr(user, "is_staff", False)) and user.has_perm(REVIEW_PERMISSION)
