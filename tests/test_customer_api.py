"""A customer account reads its own complaints through the API exactly as the portal shows
them (SPEC §1), and acts on them only in the portal."""

import json
import warnings

import pytest
from django.test import Client
from pydantic import TypeAdapter, ValidationError

from kesu.accounts.actions import create_token, create_user
from kesu.accounts.choices import Role
from kesu.complaints import actions
from kesu.complaints.choices import Visibility
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.schemas import (
    ComplaintDetail,
    ComplaintForReader,
    ComplaintPage,
    CustomerComplaint,
    CustomerComplaintPage,
    PageForReader,
)
from kesu.portal import links
from tests.conftest import PHOTO, Api, complaint_payload

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "内部备注:客户情绪激动,注意措辞"
MESSAGE_TO_CUSTOMER = "您好,我们已安排技术人员上门"


@pytest.fixture
def customer(people):
    """Wang Wei's account, with his complaint saved to it, as the portal does."""
    account = create_user("wangwei", role=Role.CUSTOMER, name="王伟")
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    intake.act(number, "note", {"text": INTERNAL_NOTE})
    intake.act(number, "note", {"text": MESSAGE_TO_CUSTOMER, "visibility": "customer"})
    intake.upload(number, "内部照片.jpg", PHOTO)
    links.save_to_account(links.current(Complaint.objects.get(number=number)), account)
    return Api(account, create_token(account)), number


def test_a_customer_lists_and_reads_their_own_complaint(customer):
    api, number = customer
    listed = api.get("/complaints")
    assert listed.status_code == 200, listed.content
    assert [row["number"] for row in listed.json()["results"]] == [number]
    response = api.get(f"/complaints/{number}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == number and body["stage"] == 0
    texts = [row["text"] for row in body["timeline"]]
    assert MESSAGE_TO_CUSTOMER in texts


def test_a_customer_sees_no_internal_note_file_or_staff_field(customer):
    api, number = customer
    response = api.get(f"/complaints/{number}")
    assert response.status_code == 200
    body = response.json()
    raw = json.dumps(body, ensure_ascii=False)
    assert MESSAGE_TO_CUSTOMER in raw
    assert INTERNAL_NOTE not in raw
    assert "内部照片" not in raw  # an internal file
    staff_only = {"severity", "owner", "department", "root_cause", "allowed_actions", "plans"}
    assert not staff_only & set(body)
    rows = api.get("/complaints").json()["results"]
    assert len(rows) == 1
    assert not {"severity", "owner", "department", "due_at"} & set(rows[0])


def test_a_customer_sees_what_the_portal_page_shows(customer, people):
    """The same rows as the customer's page: its words, its files, in its order."""
    api, number = customer
    intake = people.api(people.intake)
    shared = intake.upload(number, "给您的说明.jpg", PHOTO)
    assert shared.status_code == 201
    complaint = Complaint.objects.get(number=number)
    actions.note(number, actor=people.intake, text="第二条消息", visibility=Visibility.CUSTOMER)
    page = Client().get(f"/t/{links.token(links.current(complaint))}/").content.decode()
    body = api.get(f"/complaints/{number}").json()
    for row in body["timeline"]:
        assert row["title"] in page and row["text"] in page
    assert [row["text"] for row in body["timeline"]][-1] == "第二条消息"
    assert body["attachments"] == []  # the upload above is internal by default


def test_another_customers_complaint_is_not_there(customer, people):
    api, number = customer
    intake = people.api(people.intake)
    other = intake.post("/complaints", complaint_payload(title="别人的投诉")).json()["number"]
    assert api.get(f"/complaints/{other}").status_code == 404
    listed = [row["number"] for row in api.get("/complaints").json()["results"]]
    assert listed == [number]


def test_a_revoked_link_takes_the_complaint_away(customer, people):
    api, number = customer
    assert api.get(f"/complaints/{number}").status_code == 200
    actions.revoke_customer_links(number, actor=people.intake)
    assert api.get(f"/complaints/{number}").status_code == 404
    assert api.get("/complaints").json()["results"] == []


def test_a_customer_account_acts_only_in_the_portal(customer):
    api, number = customer
    events = ComplaintEvent.objects.count()
    for action, payload in (
        ("add_info", {"message": "补充说明"}),
        ("withdraw", {"reason": "不需要了"}),
        ("note", {"text": "x"}),
    ):
        response = api.act(number, action, payload)
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "role_not_allowed"
    assert api.upload(number, "a.jpg", PHOTO).status_code == 403
    assert api.post("/complaints", complaint_payload()).status_code == 403
    assert ComplaintEvent.objects.count() == events


def test_a_customer_cannot_narrow_their_list_by_staff_facets(customer):
    api, _number = customer
    response = api.get("/complaints", severity="1", owner="zhang_east")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"severity", "owner"}
    assert api.get("/complaints", open="true").status_code == 200


def test_a_customer_logged_in_to_the_portal_reads_the_same_but_no_staff_page(customer):
    api, number = customer
    browser = Client()
    browser.force_login(api.user)
    response = browser.get(f"/api/v1/complaints/{number}")
    assert response.status_code == 200 and response.json()["number"] == number
    assert browser.get(f"/complaints/{number}").status_code in (302, 403, 404)


def test_each_reader_s_answer_is_validated_in_its_own_shape_alone(customer, people):
    api, number = customer
    staff = people.api(people.intake)
    shapes = (
        (TypeAdapter(PageForReader), "/complaints", ComplaintPage, CustomerComplaintPage),
        (TypeAdapter(ComplaintForReader), f"/complaints/{number}", ComplaintDetail, None),
    )
    for adapter, path, staff_shape, customer_shape in shapes:
        assert isinstance(adapter.validate_python(staff.get(path).json()), staff_shape)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and written in it: no serializer's fallback
            answer = api.get(path).json()
        read = adapter.validate_python(answer)
        assert isinstance(read, customer_shape or CustomerComplaint)
    # a staff answer that is not right is refused in the staff shape, not tried as the other
    broken = {"results": [{**staff.get("/complaints").json()["results"][0], "number": None}]}
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(PageForReader).validate_python(broken)
    assert [e["loc"][:3] for e in refused.value.errors()] == [("staff", "results", 0)]


def test_a_customer_searches_only_what_their_view_shows(customer, people):
    api, number = customer
    # recorded by staff, not shown to the customer: order, batch, model, project, names
    for q in ("SO00012345", "DN50", "上海某公司"):
        assert api.get("/complaints", q=q).json()["results"] == [], q
        assert people.api(people.intake).get("/complaints", q=q).json()["results"], q
    for q in (number, "阀门渗漏", "要求更换"):
        assert [r["number"] for r in api.get("/complaints", q=q).json()["results"]] == [number]
