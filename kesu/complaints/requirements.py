"""Fields an action requires only on some complaints or with some answers, per action.

The schemas (`kesu.complaints.schemas`) say what every call of an action requires; these
conditions say what one complaint, or one answer, requires besides. The verbs
(`kesu.complaints.actions`) check them themselves and refuse with the missing field; this
table declares the same conditions so that a form can mark such a field as required when it
is drawn and name every missing field in one submit. tests/test_required_when.py asks the
verbs with each field left empty: table and verbs agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kesu.complaints.choices import COMPANY_SIDE, Action, Determination, Severity
from kesu.complaints.models import Complaint

# An action's answers by field name, in its schema's shape, not yet validated: a choice as
# its value, a yes/no as True, False or None (unanswered); a field not given is absent.
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class RequiredWhen:
    """`field` is required when `applies(complaint, answers)`."""

    field: str
    applies: Callable[[Complaint, Answers], bool]


REQUIRED_WHEN: Mapping[Action, tuple[RequiredWhen, ...]] = {
    # a level-1 complaint's plan is approved on an expert's review
    Action.APPROVE_PLAN: (
        RequiredWhen("expert_review", lambda c, answers: c.severity == Severity.LEVEL_1),
    ),
    Action.DETERMINE: (
        # a cause, unless it cannot be determined
        RequiredWhen(
            "root_cause",
            lambda c, answers: answers.get("determination") != Determination.UNDETERMINABLE,
        ),
        # evidence, for a category determined on the product or a cause on the company's side
        RequiredWhen(
            "evidence",
            lambda c, answers: (
                c.category.product_determination or answers.get("determination") in COMPANY_SIDE
            ),
        ),
    ),
    # a dissatisfied customer's words
    Action.CONFIRM: (
        RequiredWhen("comment", lambda c, answers: answers.get("satisfied") is False),
    ),
}


def required(action: Action, complaint: Complaint, answers: Answers) -> list[str]:
    """The fields of `action` that this complaint, with these answers, requires besides those
    its schema always requires, in the table's order."""
    return [
        rule.field for rule in REQUIRED_WHEN.get(action, ()) if rule.applies(complaint, answers)
    ]
