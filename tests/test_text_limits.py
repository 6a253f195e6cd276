"""One limit per text at every entrance, never cut (issue #13, point 20): the API, the clerk's
form, the public form, the import and the domain take and refuse the same lengths, say the
limit and the actual length, and the export writes every text whole or not at all."""

import csv
from pathlib import Path

import openpyxl
import pytest
from django.db.models import TextField
from django.test import Client
from django.utils import translation

from kesu.complaints import actions, limits
from kesu.complaints.choices import EventType
from kesu.complaints.errors import ComplaintError
from kesu.complaints.importing import (
    COLUMNS,
    TEXT_FIELDS,
    RegisterFileError,
    export_file,
    import_file,
)
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.complaints.schemas import (
    AddInfoIn,
    AppealIn,
    ComplainantIn,
    ConfirmIn,
    DetermineIn,
    MeasureIn,
    ProductIn,
    ProjectIn,
    ReasonIn,
    RegisterIn,
    ReturnVisitIn,
)
from kesu.portal.forms import (
    AddInfoForm,
    AppealForm,
    ConfirmForm,
    PublicComplaintForm,
    SurveyForm,
    WithdrawForm,
)
from kesu.workspace.register_form import MAX_LENGTHS
from tests.conftest import complaint_payload

pytestmark = pytest.mark.django_db

# The complaint's fields as each entrance names them.
API_FIELDS = {
    "title": (RegisterIn, "title"),
    "description": (RegisterIn, "description"),
    "demand": (RegisterIn, "demand"),
    "occurred_place": (RegisterIn, "occurred_place"),
    "complainant_name": (ComplainantIn, "name"),
    "complainant_org": (ComplainantIn, "organisation"),
    "complainant_phone": (ComplainantIn, "phone"),
    "complainant_email": (ComplainantIn, "email"),
    "complainant_address": (ComplainantIn, "address"),
    "product_model": (ProductIn, "model"),
    "batch_no": (ProductIn, "batch_no"),
    "order_no": (ProductIn, "order_no"),
    "project_name": (ProjectIn, "name"),
    "project_location": (ProjectIn, "location"),
    "severity_reason": (RegisterIn, "severity_reason"),
}
PUBLIC_FORM_FIELDS = {
    "title": "title",
    "description": "description",
    "demand": "demand",
    "occurred_place": "occurred_place",
    "complainant_name": "name",
    "complainant_org": "organisation",
    "complainant_phone": "phone",
    "complainant_email": "email",
    "complainant_address": "address",
    "product_model": "product_model",
    "batch_no": "batch_no",
    "order_no": "order_no",
    "project_name": "project_name",
    "project_location": "project_location",
}
NESTED_INPUTS = {ComplainantIn: "complainant.", ProductIn: "product.", ProjectIn: "project."}
# Kesu gives the number (an import may bring its own: its own check); a customer does not
# judge the severity.
NOT_REGISTERED = {"number"}
NOT_IN_THE_PUBLIC_FORM = {"number", "severity_reason"}


def _schema_limit(schema, name: str) -> int | None:
    for item in schema.model_fields[name].metadata:
        if isinstance(getattr(item, "max_length", None), int):
            return item.max_length
    return None


def test_every_entrance_reads_the_same_limit_for_each_text():
    form = PublicComplaintForm()
    assert set(API_FIELDS) == set(limits.COMPLAINT_TEXT) - NOT_REGISTERED
    assert set(PUBLIC_FORM_FIELDS) == set(limits.COMPLAINT_TEXT) - NOT_IN_THE_PUBLIC_FORM
    assert set(TEXT_FIELDS) <= set(limits.COMPLAINT_TEXT)  # the import's (`_text`)
    for field, limit in limits.COMPLAINT_TEXT.items():
        column = Complaint._meta.get_field(field)
        # a description, a demand or a reason is an unlimited text column: the limit is the
        # product's, checked on entry
        assert column.max_length == (None if isinstance(column, TextField) else limit), field
    for field, (schema, name) in API_FIELDS.items():
        limit = limits.COMPLAINT_TEXT[field]
        assert _schema_limit(schema, name) == limit, field
        assert MAX_LENGTHS[NESTED_INPUTS.get(schema, "") + name] == limit, field
        if field in PUBLIC_FORM_FIELDS:
            assert form.fields[PUBLIC_FORM_FIELDS[field]].max_length == limit, field


def test_an_import_refuses_every_text_one_character_over_its_limit(people, tmp_path):
    too_long = {code: "长" * (limits.COMPLAINT_TEXT[code] + 1) for code in TEXT_FIELDS}
    # a phone and an e-mail address that would pass their own checks but for their length
    too_long["complainant_phone"] = "1" * (limits.PHONE + 1)
    domain = ".".join(("b" * 63, "c" * 63, "d" * 63, "cn"))
    too_long["complainant_email"] = "a" * (limits.EMAIL - len(domain)) + "@" + domain

    with translation.override("en"):
        result = import_file(_register_csv(tmp_path, **too_long), actor=people.admin)

    assert {e.field: e.message for e in result.errors} == {
        code: f"At most {limit} characters; this has {limit + 1}."
        for code in TEXT_FIELDS
        if (limit := limits.COMPLAINT_TEXT[code])
    }
    assert not Complaint.objects.exists()


def test_the_api_refuses_a_too_long_text_with_the_limit_and_its_length(people):
    intake = people.api(people.intake)
    long = "长" * (limits.DESCRIPTION + 1)

    response = intake.post(
        "/complaints", complaint_payload(description=long), headers={"Accept-Language": "en"}
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "description"
    assert error["message"] == "At most 20000 characters; this has 20001."
    assert not Complaint.objects.exists()


def test_the_public_form_takes_the_description_the_api_takes_and_refuses_a_longer_one(people):
    client = Client()
    form = {
        "kind": "complaint",
        "title": "业务员态度不好",
        "name": "李娜",
        "phone": "13900000009",
        "consent": "on",
    }

    taken = client.post(
        "/complain/", {**form, "description": "长" * limits.DESCRIPTION}, REMOTE_ADDR="10.8.0.1"
    )
    refused = client.post(
        "/complain/",
        {**form, "description": "长" * (limits.DESCRIPTION + 1), "phone": "13900000010"},
        REMOTE_ADDR="10.8.0.2",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert taken.status_code == 302
    assert len(Complaint.objects.get().description) == limits.DESCRIPTION
    assert refused.status_code == 422
    assert "20000" in refused.content.decode() and "20001" in refused.content.decode()
    assert Complaint.objects.count() == 1


def test_the_clerks_form_tells_the_browser_every_limit(people):
    clerk = Client()
    clerk.force_login(people.intake)

    page = clerk.get("/register/").content.decode()

    assert f'name="description" rows="3" maxlength="{limits.DESCRIPTION}"' in page
    title = next(tag for tag in page.split("<input") if 'name="title"' in tag)
    assert f'maxlength="{limits.TITLE}"' in title


def test_the_domain_refuses_a_too_long_description_from_any_entrance(people):
    new = actions.NewComplaint(
        channel="email",
        title="很长的来信",
        description="长" * (limits.DESCRIPTION + 1),
        category=Category.objects.get(code="service_quality"),
        complainant_email="kehu@example.com",
    )

    with translation.override("en"), pytest.raises(ComplaintError) as refused:
        actions.register(new, actor=people.intake)

    assert refused.value.fields == {"description": "At most 20000 characters; this has 20001."}
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("length", [limits.DESCRIPTION + 1, 34_000])
def test_an_import_refuses_a_description_longer_than_every_other_entrance_takes(
    people, tmp_path, length
):
    path = _register_csv(tmp_path, description="长" * length)

    with translation.override("en"):
        result = import_file(path, actor=people.admin)

    assert [(e.row, e.field, e.message) for e in result.errors] == [
        (2, "description", f"At most 20000 characters; this has {length}.")
    ]
    assert not Complaint.objects.exists()


def test_an_xlsx_export_writes_every_text_whole_or_refuses_it(people, tmp_path):
    # given the longest description Kesu takes, and one kept from before the limits with
    # 34,000 characters
    intake = people.api(people.intake)
    longest = "长" * limits.DESCRIPTION
    intake.post("/complaints", complaint_payload(description=longest))
    old = intake.post("/complaints", complaint_payload()).json()["number"]
    description = [column.code for column in COLUMNS].index("description")

    # when only the first is exported to .xlsx, its cell holds it whole
    first = tmp_path / "first.xlsx"
    export_file(Complaint.objects.exclude(number=old), first)
    sheet = openpyxl.load_workbook(first).worksheets[0]
    assert sheet.cell(row=2, column=description + 1).value == longest

    # but with the older one, the export stops, naming the complaint, and writes nothing
    whole = "长" * 34_000
    Complaint.objects.filter(number=old).update(description=whole)
    xlsx = tmp_path / "export.xlsx"
    with translation.override("en"), pytest.raises(RegisterFileError) as refused:
        export_file(Complaint.objects.all(), xlsx)
    assert old in str(refused.value) and "34000" in str(refused.value)
    assert ".csv" in str(refused.value)
    assert not xlsx.exists()

    # and a .csv export carries it whole
    csv_path = tmp_path / "export.csv"
    export_file(Complaint.objects.all(), csv_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert [row[description] for row in rows[1:]] == [longest, whole]


def _register_csv(tmp_path: Path, **values: str) -> Path:
    row = {
        "channel": "电话热线",
        "title": "阀门渗漏",
        "description": "客户反映阀门渗漏。",
        "category": "product_quality",
        "complainant_name": "王伟",
        **values,
    }
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([column.header for column in COLUMNS])
        writer.writerow([row.get(column.code, "") for column in COLUMNS])
    return path


# ------------------------------------------------------------------------------ acting on one


def test_an_action_takes_the_same_text_through_the_api_the_workspace_and_the_portal():
    for form, name, schema, field in (
        (AddInfoForm(), "message", AddInfoIn, "message"),
        (ConfirmForm(), "comment", ConfirmIn, "comment"),
        (AppealForm(), "reason", AppealIn, "reason"),
        (WithdrawForm(), "reason", ReasonIn, "reason"),
        (SurveyForm(scale=5), "remarks", ReturnVisitIn, "remarks"),
    ):
        # the workspace's action forms are drawn from the API's shapes (action_forms)
        assert form.fields[name].max_length == _schema_limit(schema, field), (form, name)
        assert _schema_limit(schema, field) == limits.ACTION_TEXT
    assert _schema_limit(MeasureIn, "description") == limits.MEASURE
    assert _schema_limit(DetermineIn, "responsible_person") == limits.RESPONSIBLE_PERSON
    assert Complaint._meta.get_field("responsible_person").max_length == limits.RESPONSIBLE_PERSON
    assert _schema_limit(AppealIn, "authority") == limits.AUTHORITY


def test_a_customer_writes_in_the_portal_as_much_as_the_api_takes(people):
    client = Client()
    created = client.post(
        "/complain/",
        {"kind": "complaint", "title": "漏水", "description": "卫生间漏水。", "name": "李娜"}
        | {"phone": "13900000009", "consent": "on"},
        REMOTE_ADDR="10.8.0.3",
    )
    token = created["Location"].split("/t/")[1].split("/")[0]
    message = "长" * limits.ACTION_TEXT

    taken = client.post(f"/t/{token}/add_info", {"message": message})
    refused = client.post(
        f"/t/{token}/add_info", {"message": message + "长"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert taken.status_code == 302
    added = ComplaintEvent.objects.get(type=EventType.ADD_INFO)
    assert len(added.comment) == limits.ACTION_TEXT
    assert refused.status_code == 422 and str(limits.ACTION_TEXT + 1) in refused.content.decode()
    api = people.api(people.intake).act(
        added.complaint.number,
        "note",
        {"text": message + "长"},
    )
    assert api.status_code == 422
    assert str(limits.ACTION_TEXT + 1) in api.json()["errors"][0]["message"]
