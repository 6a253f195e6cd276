"""One table turns pydantic's errors into words (kesu.core.validation): the API and the
workspace's forms say the same thing about the same mistake (review of #14, finding 10)."""

import pytest
from django.utils import translation
from pydantic import ValidationError

from kesu.complaints.choices import Action
from kesu.complaints.schemas import ACTION_SCHEMAS, FROM_FORM
from kesu.workspace.action_forms import validation_errors
from tests.inbox_cases import registered

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"text": "看一下", "expected_version": "两"}, "expected_version"), ({"text": 5}, "text")],
)
def test_the_api_and_a_form_word_the_same_mistake_the_same(people, bad, field):
    number = registered(people, title="墙体开裂")
    answer = people.api(people.intake).act(number, "note", bad)
    assert answer.status_code == 422, answer.content
    in_api = {e["field"]: e["message"] for e in answer.json()["errors"]}[field]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        ACTION_SCHEMAS[Action.NOTE].model_validate(bad, context=FROM_FORM)
    with translation.override("zh-hans"):
        in_form = validation_errors(error.value)[field]
    assert in_api == in_form
    assert in_form in ("请输入整数。", "请输入文字。")
