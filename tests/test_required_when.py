"""The domain's REQUIRED_WHEN (kesu.complaints.requirements) declares the fields an action
requires only on some complaints or with some answers; the verbs (kesu.complaints.actions)
decide, and the workspace's action forms read the table to mark them. Each rule of the table
is pinned here to its action: the action is asked with the field left empty, and the fields
it names must be the ones the table predicts from the posted form (review of #14,
finding 11)."""

import pytest
from django.http import QueryDict

from kesu.complaints.choices import Action, Determination
from kesu.complaints.models import Complaint
from kesu.complaints.requirements import REQUIRED_WHEN
from kesu.complaints.schemas import ACTION_SCHEMAS
from kesu.workspace.action_forms import NO, YES, required_fields
from tests.inbox_cases import _ok, plan_approval, registered, verifying

pytestmark = pytest.mark.django_db


def _predicted(action: Action, number: str, posted: dict) -> set[str]:
    complaint = Complaint.objects.select_related("category").get(number=number)
    data = QueryDict(mutable=True)
    data.update(posted)
    return set(required_fields(action, complaint, data))


def _named(response, rules: set[str]) -> set[str]:
    """The table's fields the domain named as missing (a 200 names none)."""
    if response.status_code == 200:
        return set()
    assert response.status_code == 422, response.content.decode()
    return {e["field"] for e in response.json()["errors"]} & rules


def _investigating(people, category: str) -> str:
    number = registered(people, category=category)
    handler = people.api(people.handler_quality)
    accepted = {"owner": handler.user.username, "department": "quality"}
    _ok(people.api(people.intake).act(number, "accept", accepted))
    _ok(handler.act(number, "visit", {"findings": "现场查看"}))
    return number


@pytest.mark.parametrize("category", ["product_quality", "transport_packaging"])
@pytest.mark.parametrize("determination", list(Determination))
def test_determine_requires_what_the_table_marks(people, category, determination):
    rules = {rule.field for rule in REQUIRED_WHEN[Action.DETERMINE]}
    number = _investigating(people, category)
    posted = {"determination": determination.value}
    answer = people.api(people.handler_quality).act(
        number, "determine", {**posted, "root_cause": "", "evidence": []}
    )
    assert _named(answer, rules) == _predicted(Action.DETERMINE, number, posted)


@pytest.mark.parametrize("level_1", [True, False])
def test_approving_a_plan_requires_what_the_table_marks(people, level_1):
    number = plan_approval(people, **({"claim_amount": 80000} if level_1 else {}))
    approver = people.api(people.executive if level_1 else people.head_quality)
    answer = approver.act(number, "approve_plan", {"comment": "同意", "expert_review": ""})
    predicted = _predicted(Action.APPROVE_PLAN, number, {})
    assert _named(answer, {"expert_review"}) == predicted
    assert predicted == ({"expert_review"} if level_1 else set())


@pytest.mark.parametrize("satisfied", [True, False])
def test_confirming_requires_what_the_table_marks(people, satisfied):
    number = verifying(people)
    _ok(people.api(people.head_quality).act(number, "verify", {"passed": True, "report": "合格"}))
    answer = people.api(people.intake).act(
        number, "confirm", {"satisfied": satisfied, "comment": "", "method": "phone"}
    )
    predicted = _predicted(Action.CONFIRM, number, {"satisfied": YES if satisfied else NO})
    assert _named(answer, {"comment"}) == predicted
    assert predicted == (set() if satisfied else {"comment"})


def test_every_rule_of_the_table_is_pinned_here():
    assert set(REQUIRED_WHEN) == {
        Action.DETERMINE,
        Action.APPROVE_PLAN,
        Action.CONFIRM,
    }


def test_every_field_of_the_table_is_one_its_action_takes_and_does_not_always_require():
    for action, rules in REQUIRED_WHEN.items():
        for rule in rules:
            info = ACTION_SCHEMAS[action].model_fields[rule.field]
            assert not info.is_required(), (action, rule.field)
