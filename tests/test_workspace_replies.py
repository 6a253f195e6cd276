"""Reply templates are offered on every field whose words go to the customer (review of #14,
finding 8): one table, pinned here to the actions' forms."""

import pytest
from django.test import Client

from kesu.complaints.choices import TO_CUSTOMER_FIELD, Action
from kesu.complaints.schemas import ACTION_SCHEMAS
from kesu.notifications.models import ReplyTemplate
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db


def test_every_field_to_the_customer_is_a_text_of_its_action():
    for action, name in TO_CUSTOMER_FIELD.items():
        assert name in ACTION_SCHEMAS[action].model_fields, (action, name)
    assert {Action.NOTE, Action.PROGRESS, Action.ANSWER, Action.INVALIDATE} <= set(
        TO_CUSTOMER_FIELD
    )


def test_the_picker_is_on_the_answer_and_the_invalidation_and_not_on_internal_forms(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    ReplyTemplate.objects.create(name="通用问候", body="您好，{{ customer }}。")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people.intake)

    def picker(action: str) -> str:
        page = client.get(f"/complaints/{number}/do/{action}").content.decode()
        if 'data-role="reply-picker"' not in page:
            return ""
        return page.split('data-role="reply-picker"', 1)[1].split('data-field="', 1)[1][:20]

    assert picker("invalidate").startswith('explanation"')
    assert picker("note").startswith('text"')
    assert picker("escalate") == ""  # a reason for staff only
    intake.act(number, "accept", {"owner": people.handler_quality.username})
    handler = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    handler.force_login(people.handler_quality)
    client = handler
    assert picker("progress").startswith('message"')


def test_the_picker_fills_the_answer_to_an_inquiry(people):
    payload = complaint_payload(kind="inquiry", title="保修期多久", description="客户咨询保修期")
    number = people.api(people.intake).post("/complaints", payload).json()["number"]
    ReplyTemplate.objects.create(name="保修答复", body="{{ number }}：保修期两年。")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people.intake)
    page = client.get(f"/complaints/{number}/do/answer").content.decode()
    assert 'data-field="answer"' in page and f"{number}：保修期两年。" in page
