"""The hotline clerk's registration form, without a browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from kesu.complaints.models import Complaint
from kesu.workspace.register_form import LABELS
from tests.conftest import PHOTO, complaint_payload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "complainant.phone": "13900000002",
        "complainant.name": "李娜",
        "title": "卫生间墙面渗漏",
        "description": "入住三个月,卫生间墙面渗漏,墙皮脱落。",
        "category": "construction_leak",
        "project.name": "滨江花园二期",
        "read_back": "on",
        "idempotency_key": "k-" + overrides.pop("key", "1"),
    }
    data.update(overrides)
    return data


def test_the_assist_panel_suggests_category_and_severity_as_words_come(people):
    clerk = _client(people.intake)
    body = clerk.post("/register/assist", {"title": "卫生间墙面渗漏"}).content.decode()
    assert 'data-code="construction_leak"' in body and "sev2" in body
    body = clerk.post("/register/assist", {"description": "屋顶坍塌,工人受伤"}).content.decode()
    assert "sev1" in body
    body = clerk.post("/register/assist", {"title": "咨询"}).content.decode()
    assert 'data-code=""' in body  # no word matched, nothing suggested


def test_earlier_complaints_of_the_caller_are_shown_by_phone_and_by_name(people):
    clerk = _client(people.intake)
    number = clerk.post("/register/", _form())["Location"].rsplit("/", 1)[1]
    by_phone = clerk.post("/register/assist", {"complainant.phone": "13900000002"})
    assert number in by_phone.content.decode()
    by_name = clerk.post("/register/assist", {"complainant.name": "李娜"})
    assert number in by_name.content.decode()
    other = clerk.post("/register/assist", {"complainant.phone": "13900000009"})
    assert number not in other.content.decode()


def test_registering_with_a_photo_lands_on_the_new_complaint(people):
    clerk = _client(people.intake)
    response = clerk.post("/register/", _form(files=SimpleUploadedFile("墙面.jpg", PHOTO)))
    assert response.status_code == 302
    complaint = Complaint.objects.get(number=response["Location"].rsplit("/", 1)[1])
    assert complaint.severity == 2 and complaint.read_back
    assert [a.name for a in complaint.attachments.all()] == ["墙面.jpg"]
    assert complaint.project_name == "滨江花园二期"


def test_a_bad_file_or_a_refused_closing_leaves_no_complaint(people):
    clerk = _client(people.intake)
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)
    body = clerk.post("/register/", _form(files=bad)).content.decode()
    assert 'data-field="files"' in body
    response = clerk.post(
        "/register/", _form(key="2", resolved_on_the_spot="on", solution="已解释")
    )  # the customer did not confirm
    assert response.status_code == 422
    assert 'data-field="customer_confirmed"' in response.content.decode()
    assert Complaint.objects.count() == 0


def test_resolved_on_the_spot_closes_in_the_same_step(people):
    clerk = _client(people.intake)
    response = clerk.post(
        "/register/",
        _form(resolved_on_the_spot="on", solution="当场讲解了使用方法", customer_confirmed="on"),
    )
    complaint = Complaint.objects.get(number=response["Location"].rsplit("/", 1)[1])
    assert complaint.state == "closed" and complaint.severity == 3


def test_the_same_customer_and_project_open_again_is_warned_before_registering(people):
    clerk = _client(people.intake)
    first = clerk.post("/register/", _form())["Location"].rsplit("/", 1)[1]
    response = clerk.post("/register/", _form(key="2", title="渗漏又出现了"))
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-field="duplicate"' in body and first in body
    assert Complaint.objects.count() == 1
    response = clerk.post("/register/", _form(key="2", confirm_duplicate="on"))
    assert response.status_code == 302 and Complaint.objects.count() == 2


def test_a_double_submit_registers_once_and_bad_input_says_where(people):
    clerk = _client(people.intake)
    assert clerk.post("/register/", _form(key="same")).status_code == 302
    assert clerk.post("/register/", _form(key="same")).status_code == 302
    assert Complaint.objects.count() == 1
    body = clerk.post("/register/", _form(key="3", title="", category="")).content.decode()
    assert 'data-field="title"' in body and 'data-field="category"' in body
    body = clerk.post(
        "/register/",
        _form(key="4", **{"complainant.phone": "", "complainant.name": "", "project.name": ""}),
    ).content.decode()
    assert 'data-field="complainant.name"' in body


def test_who_may_not_register_gets_a_refusal(people):
    assert _client(people.executive).get("/register/").status_code == 403
    assert _client(people.intake).get("/register/").status_code == 200
    assert "/register/" not in _client(people.executive).get("/inbox/").content.decode()


def test_the_look_up_by_phone_shows_only_complaints_the_person_may_see(people):
    """A handler of the north region must not read an east complaint's caller through the
    look-up, though the intake clerk sees it."""
    people.api(people.intake).post("/complaints", complaint_payload(department="sales_east"))
    query = {"complainant.phone": "13800000001"}
    clerk, north = Client(), Client()
    clerk.force_login(people.intake)
    north.force_login(people.handler_north)
    assert "阀门渗漏" in clerk.post("/register/assist", query).content.decode()
    assert "阀门渗漏" not in north.post("/register/assist", query).content.decode()


def test_a_registration_key_longer_than_kept_is_refused_not_cut(people):
    clerk = _client(people.intake)
    response = clerk.post("/register/", _form(key="x" * 199))  # "k-" + 199: one too many
    assert response.status_code == 422
    assert Complaint.objects.count() == 0
    assert clerk.post("/register/", _form(key="x" * 198)).status_code == 302


def test_the_register_page_labels_its_inputs_as_the_error_summary_names_them(people):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people.intake)
    page = client.get("/register/").content.decode()
    for name, label in LABELS.items():
        assert f'name="{name}"' in page, name
        assert escape(str(label)) in page, name
