"""The list: visibility of SPEC §1, filters, and cursor paging that never skips or repeats."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from kesu.complaints import actions
from kesu.complaints.choices import Channel
from kesu.complaints.models import Category

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def register(people, at: datetime | None = None, **overrides) -> str:
    fields = {
        "channel": Channel.PHONE,
        "title": "阀门渗漏",
        "description": "客户反映阀门渗漏",
        "category": Category.objects.get(code="product_quality"),
        "complainant_name": "王伟",
    }
    fields.update(overrides)
    complaint, _created = actions.register(
        actions.NewComplaint(**fields), actor=people.intake, registered_at=at
    )
    return complaint.number


def test_each_role_sees_its_rows(people):
    quality = register(people)  # default department: quality
    east = register(people, category=Category.objects.get(code="staff_conduct"))
    actions.accept(
        east,
        actor=people.intake,
        owner=people.handler_east,
        department=people.handler_east.department,
    )
    sales = register(people, category=Category.objects.get(code="price_dispute"))
    accused = register(
        people, category=Category.objects.get(code="staff_conduct"), accused=people.handler_east
    )
    actions.accept(
        accused,
        actor=people.intake,
        owner=people.head_sales,
        department=people.head_sales.department,
    )

    def seen(user):
        return set(numbers(people.api(user).get("/complaints")))

    everything = {quality, east, sales, accused}
    assert seen(people.intake) == everything
    assert seen(people.qa) == everything
    assert seen(people.executive) == everything
    assert seen(people.handler_quality) == {quality}
    assert seen(people.head_quality) == {quality}
    # the east handler sees the east region's complaint, not the one about himself
    assert seen(people.handler_east) == {east}
    assert seen(people.handler_north) == set()
    # the head of sales sees the sales department and its regions
    assert seen(people.head_sales) == {east, sales, accused}
    assert people.api(people.handler_east).get(f"/complaints/{accused}").status_code == 404


def test_paging_visits_every_row_once_newest_first(people):
    start = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    made = [register(people, at=start + timedelta(hours=i // 2)) for i in range(53)]  # ties
    api = people.api(people.intake)
    seen: list[str] = []
    response = api.get("/complaints", limit=10)
    pages = 0
    while True:
        body = response.json()
        seen += [row["number"] for row in body["results"]]
        pages += 1
        if body["next"] is None:
            break
        response = api._client().get(body["next"])
    assert pages == 6
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert seen[0] in made[-2:]  # newest first (the last two share one registration time)


def test_filters(people):
    api = people.api(people.intake)
    march = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    april = datetime(2026, 4, 10, 10, 0, tzinfo=SHANGHAI)
    leak = register(
        people,
        at=march,
        category=Category.objects.get(code="construction_leak"),
        title="屋面渗漏",
        description="顶楼卧室渗漏",
        channel=Channel.WECHAT,
        complainant_name="李娜",
        complainant_phone="13900001111",
    )
    media = register(
        people,
        at=april,
        channel=Channel.MEDIA,
        title="记者来电",
        description="媒体询问产品质量问题",
        order_no="SO00050150",
    )
    inquiry = register(
        people, at=april, kind="inquiry", title="保修期咨询", description="咨询保修期"
    )
    actions.accept(media, actor=people.intake, owner=people.handler_quality)

    assert numbers(api.get("/complaints", category="construction_quality")) == [leak]
    assert numbers(api.get("/complaints", channel="wechat")) == [leak]
    assert numbers(api.get("/complaints", severity=1)) == [media]
    assert numbers(api.get("/complaints", kind="inquiry")) == [inquiry]
    assert set(numbers(api.get("/complaints", state=["registered"]))) == {leak, inquiry}
    assert set(numbers(api.get("/complaints", state=["registered", "accepted"]))) == {
        leak,
        media,
        inquiry,
    }
    assert numbers(api.get("/complaints", owner=people.handler_quality.username)) == [media]
    assert numbers(people.api(people.handler_quality).get("/complaints", owner="me")) == [media]
    assert numbers(api.get("/complaints", department="engineering")) == [leak]
    assert numbers(
        api.get("/complaints", registered_from="2026-03-01", registered_to="2026-03-31")
    ) == [leak]
    assert set(numbers(api.get("/complaints", registered_from="2026-04-10"))) == {media, inquiry}
    assert numbers(api.get("/complaints", q="渗漏")) == [leak]
    assert numbers(api.get("/complaints", q="13900001111")) == [leak]
    assert numbers(api.get("/complaints", q="SO00050150")) == [media]
    assert numbers(api.get("/complaints", q=media)) == [media]
    assert numbers(api.get("/complaints", q="不存在的关键词")) == []
    actions.answer(inquiry, actor=people.intake, answer="保修一年")
    assert set(numbers(api.get("/complaints", open="true"))) == {leak, media}
    assert numbers(api.get("/complaints", open="false")) == [inquiry]
    assert numbers(api.get("/complaints", state=["accepted"])) == [media]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "nonsense"}, "state"),
        ({"severity": 9}, "severity"),
        ({"limit": 1000}, "limit"),
        ({"cursor": "!!!"}, "cursor"),
        ({"category": "nope"}, "category"),
        ({"registered_from": "yesterday"}, "registered_from"),
    ],
)
def test_bad_filters_are_422(people, params, field):
    response = people.api(people.intake).get("/complaints", **params)
    assert response.status_code == 422
    assert field in {error["field"].split(".")[0] for error in response.json()["errors"]}


def test_reference_endpoints(people):
    api = people.api(people.handler_east)
    categories = api.get("/categories").json()
    assert {"product_quality", "construction_leak"} <= {c["code"] for c in categories}
    leak = next(c for c in categories if c["code"] == "construction_leak")
    assert leak["parent"] == "construction_quality" and leak["name"] == "渗漏"
    departments = {d["code"]: d for d in api.get("/departments").json()}
    assert departments["sales_east"]["parent"] == "sales"
    users = api.get("/users", role="handler").json()
    assert {u["username"] for u in users} >= {"zhang_east", "zhao_north"}
    assert all(u["role"] == "handler" for u in users)
    assert api.get("/me").json()["department"] == "sales_east"


def test_user_and_token_commands(defaults, capsys):
    call_command("user", "create", "li_intake", "--role", "intake", "--name", "李客服")
    call_command("token", "create", "li_intake")
    token = capsys.readouterr().out.split()[-1]
    assert token.startswith("ks_")
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert response.json()["username"] == "li_intake"
    from django.core.management.base import CommandError

    with translation.override("en"):
        with pytest.raises(CommandError, match="needs a department"):
            call_command("user", "create", "x", "--role", "handler")
        with pytest.raises(CommandError, match="Unknown user"):
            call_command("token", "create", "nobody")
