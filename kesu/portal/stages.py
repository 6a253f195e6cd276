"""What a customer reads about where their complaint stands: five plain stages instead of
the thirteen states staff work with."""

from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import State

RECEIVED = _("Received")
IN_HAND = _("Being handled")
YOUR_TURN = _("Waiting for your confirmation")
FEEDBACK = _("Your feedback")
DONE = _("Finished")

STEPS = (RECEIVED, IN_HAND, YOUR_TURN, FEEDBACK, DONE)

_STAGE = {
    State.REGISTERED: 0,
    State.ACCEPTED: 1,
    State.INVESTIGATING: 1,
    State.PLANNING: 1,
    State.PLAN_APPROVAL: 1,
    State.TREATING: 1,
    State.VERIFYING: 1,
    State.CONFIRMING: 2,
    State.RETURN_VISIT: 3,
    State.CLOSED: 4,
    State.WITHDRAWN: 4,
    State.INVALID: 4,
    State.MERGED: 4,
}


def stage_of(state: str) -> int:
    return _STAGE[State(state)]
