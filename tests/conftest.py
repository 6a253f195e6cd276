"""Named personas built through the real actions, and an API client that speaks as them."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from kesu.accounts.actions import create_token, create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.core.memo import forget
from kesu.site.defaults import load_defaults


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Per-process caches never carry rows from one test's database into the next."""
    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Background tasks run in the test's own process, at once (after the commit)."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def defaults(db):
    load_defaults()


def _dept(code: str) -> Department:
    return Department.objects.get(code=code)


@dataclass
class Api:
    """A JSON client for /api/v1 that authenticates as one person by bearer token."""

    user: User
    token: str

    def _client(self) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def get(self, path: str, **params):
        return self._client().get(f"/api/v1{path}", params)

    def post(self, path: str, payload=None, headers: dict | None = None):
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload or {})
        return self._client().post(
            f"/api/v1{path}", body, content_type="application/json", headers=headers
        )

    def act(self, number: str, action: str, payload=None):
        return self.post(f"/complaints/{number}/actions/{action}", payload)

    def upload(self, number: str, name: str, content: bytes, content_type="image/jpeg"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self._client().post(
            f"/api/v1/complaints/{number}/attachments",
            {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        )


class People:
    """The cast: an intake clerk, handlers in two regions and in quality, heads, QA, executive."""

    def __init__(self):
        self.intake = create_user(
            "kefu_wang", role=Role.INTAKE, name="王客服", department=_dept("customer_service")
        )
        self.handler_east = create_user(
            "zhang_east", role=Role.HANDLER, name="张经理", department=_dept("sales_east")
        )
        self.handler_north = create_user(
            "zhao_north", role=Role.HANDLER, name="赵经理", department=_dept("sales_north")
        )
        self.handler_quality = create_user(
            "sun_quality", role=Role.HANDLER, name="孙工", department=_dept("quality")
        )
        self.head_quality = create_user(
            "qian_head", role=Role.DEPT_HEAD, name="钱部长", department=_dept("quality")
        )
        self.head_sales = create_user(
            "zhou_head", role=Role.DEPT_HEAD, name="周总监", department=_dept("sales")
        )
        self.qa = create_user("wu_qa", role=Role.QA, name="吴质检", department=_dept("quality"))
        self.executive = create_user(
            "zheng_vp", role=Role.EXECUTIVE, name="郑副总", department=_dept("management")
        )
        self.admin = create_user("root_admin", role=Role.ADMIN, name="管理员", superuser=True)

    def api(self, user: User) -> Api:
        return Api(user, create_token(user))


@pytest.fixture
def people(defaults) -> People:
    return People()


PHOTO = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200  # a JPEG header is enough


def complaint_payload(**overrides) -> dict:
    payload = {
        "channel": "phone",
        "title": "阀门渗漏",
        "description": "客户王伟反映:批号2025-07的阀门出现渗漏,要求更换。",
        "category": "product_quality",
        "complainant": {"name": "王伟", "phone": "13800000001", "organisation": "上海某公司"},
        "product": {"model": "DN50", "batch_no": "2025-07", "order_no": "SO00012345"},
        "demand": "更换阀门",
        "read_back": True,
    }
    payload.update(overrides)
    return payload


def query_plan(queryset) -> str:
    """The query plan of `queryset` as the database words it (PostgreSQL: with sequential
    scans made dear, so that a usable index shows however few rows the table holds)."""
    from django.db import connection, transaction

    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())
