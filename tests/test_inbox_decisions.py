"""The inbox's work tabs list exactly what the guard lets the person decide, and say who
decides the rest."""

import pytest

from kesu.complaints.authority import allowed_actions, decided_by
from kesu.complaints.models import Complaint
from kesu.workspace.inbox import DECISION_TABS, Tab, complaints_in, tabs_for
from tests.inbox_cases import LEVEL_1, plan_approval, verifying

pytestmark = pytest.mark.django_db


def _numbers(user, tab) -> set[str]:
    return set(complaints_in(user, tab).values_list("number", flat=True))


def test_each_decision_tab_lists_what_the_guard_allows_and_nothing_else(people):
    major_plan = plan_approval(people, **LEVEL_1)
    plan = plan_approval(people)
    major_result = verifying(people, **LEVEL_1)
    result = verifying(people)
    assert Complaint.objects.get(number=plan).severity != 1
    everyone = [
        people.intake, people.handler_quality, people.handler_east, people.head_quality,
        people.head_sales, people.qa, people.executive,
    ]  # fmt: skip
    for user in everyone:
        for tab, action in DECISION_TABS.items():
            allowed = {
                c.number for c in Complaint.objects.all() if action in allowed_actions(c, user)
            }
            listed = _numbers(user, tab) if tab in tabs_for(user) else set()
            assert listed == allowed, (user.username, tab)
    assert _numbers(people.head_quality, Tab.APPROVAL) == {plan}
    assert _numbers(people.executive, Tab.APPROVAL) == {major_plan}
    assert _numbers(people.qa, Tab.TO_VERIFY) == {major_result}
    assert _numbers(people.handler_quality, Tab.TO_VERIFY) == {result}
    assert Tab.APPROVAL not in tabs_for(people.handler_quality)
    assert Tab.TO_VERIFY in tabs_for(people.qa)


def test_who_decides_is_said_to_those_who_may_not(people):
    major_plan = Complaint.objects.get(number=plan_approval(people, **LEVEL_1))
    assert decided_by(major_plan, people.head_quality) == "一级投诉的处理方案由公司领导审批。"
    assert decided_by(major_plan, people.executive) is None
    result = Complaint.objects.get(number=verifying(people))
    assert decided_by(result, people.qa) == "该处理结果由负责人所在团队验证。"
    assert decided_by(result, people.handler_quality) is None
