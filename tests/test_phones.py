"""Phone numbers (issue #13, point 21): read however they are written, stored in one form
(E.164), refused with a clear message when they are not numbers — at every entrance — and a
caller found again whichever way the number is typed."""

import importlib
import io
import random

import phonenumbers
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from kesu.accounts.models import User
from kesu.complaints import actions
from kesu.complaints.importing import COLUMNS, import_file
from kesu.complaints.models import Category, Complaint
from kesu.core import phones
from kesu.portal.throttle import normal_contact
from tests.conftest import complaint_payload

# ------------------------------------------------------------------------------ the one reading


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13900000009", "+8613900000009"),
        ("139-0000-0009", "+8613900000009"),
        ("139 0000 0009", "+8613900000009"),
        ("+86 139 0000 0009", "+8613900000009"),
        ("0086 139 0000 0009", "+8613900000009"),
        ("１３９００００００09", "+8613900000009"),  # full-width digits of a Chinese IME
        ("(010) 1234 5678", "+861012345678"),
        ("010-12345678", "+861012345678"),
        ("0755-8888 8888", "+8675588888888"),
        ("0755-8888 8888 转 123", "+8675588888888;ext=123"),
        ("0755-88888888 分机 8001", "+8675588888888;ext=8001"),
        ("0755-88888888-123", "+8675588888888;ext=123"),
        ("0755 8888 8888 ext. 123", "+8675588888888;ext=123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 650 253 0000", "+16502530000"),
        ("", ""),
    ],
)
def test_every_way_of_writing_a_number_is_stored_as_one_value(written, stored):
    assert phones.normalise(written) == stored
    assert phones.normalise(stored) == stored  # reading the stored form changes nothing


@pytest.mark.parametrize("written", ["abc", "12", "=2+5", "88888888", "13900000009-12"])
def test_what_is_not_a_phone_number_is_refused_saying_what_to_write(written):
    with translation.override("en"), pytest.raises(phones.InvalidPhone) as refused:
        phones.normalise(written)
    assert f"“{written}” is not a phone number" in str(refused.value)
    assert "area code" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(phones.InvalidPhone) as refused:
        phones.normalise(written)
    assert "不是有效的电话号码" in str(refused.value)


@pytest.mark.parametrize(
    "written", ["张先生 13900000009", "办公室 010-12345678", "13900000009a", "tel 13900000009"]
)
def test_a_number_with_words_beside_it_is_refused_not_cut_out_of_them(written):
    with translation.override("en"), pytest.raises(phones.InvalidPhone) as refused:
        phones.normalise(written)
    assert f"“{written}” has more in it than a phone number" in str(refused.value)
    assert phones.normalised_or_none(written) is None


@pytest.mark.parametrize("written", ["1390000000", "139000000091", "13900000009 13800000001"])
def test_digits_are_never_dropped_or_added(written):
    with pytest.raises(phones.InvalidPhone):
        phones.normalise(written)


# The shapes the fast path reads, and some it leaves to the library.
_PREFIXES = st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "+8 6", "0"])
_SEPARATORS = st.sampled_from(["", " ", "-", "  ", ".", "—"])


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(
    prefix=_PREFIXES,
    second=st.integers(0, 9),
    rest=st.integers(0, 10**9 - 1),
    first=_SEPARATORS,
    then=_SEPARATORS,
)
def test_the_fast_path_for_mainland_mobiles_agrees_with_the_library(
    prefix, second, rest, first, then
):
    digits = f"1{second}{rest:09d}"
    written = f"{prefix}{digits[:3]}{first}{digits[3:7]}{then}{digits[7:]}"
    fast = phones._mainland_mobile(written)
    number = phones._valid(written)
    library = phonenumbers.format_number(number, PhoneNumberFormat.E164) if number else None
    if fast is not None:
        assert fast == library, written
    elif number is not None and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
        # a valid mobile the fast path leaves alone is written in a rarer shape
        common = {first, then} <= {"", " ", "-"}
        assert not (prefix in ("", "+86", "+86 ", "+86-", "0086", "0086 ") and common), written
    try:
        assert phones.normalise(written) == library
    except phones.InvalidPhone:
        assert library is None or not phones._NUMBER_ALONE.fullmatch(written), written


def test_chinese_numbers_are_shown_in_the_national_format_and_others_internationally():
    with translation.override("en"):
        assert phones.display("+8613900000009") == "139 0000 0009"
        assert phones.display("+861012345678") == "010 1234 5678"
        assert phones.display("+8675588888888;ext=123") == "0755 8888 8888 ext. 123"
        assert phones.display("+442079460958") == "+44 20 7946 0958"
        assert phones.display("abc") == "abc"  # kept from before numbers were checked
        assert phones.display("张先生 13900000009") == "张先生 13900000009"  # all of it


def test_the_demo_generates_numbers_in_the_stored_form():
    from kesu.demo.compose import _phone

    rng = random.Random(13)
    for _ in range(500):
        number = _phone(rng)
        assert phones.normalise(number) == number


# ------------------------------------------------------------------------------ the entrances


@pytest.mark.django_db
def test_the_api_stores_the_normalised_number_and_refuses_what_is_not_one(people):
    intake = people.api(people.intake)
    payload = complaint_payload()
    payload["complainant"] = {"name": "王伟", "phone": "139-0000-0009"}

    created = intake.post("/complaints", payload)

    assert created.status_code == 201, created.content
    assert created.json()["complainant"]["phone"] == "+8613900000009"
    for bad, said in (
        ("abc", "is not a phone number"),
        ("12", "is not a phone number"),
        ("=2+5", "is not a phone number"),
        ("张先生 13900000009", "has more in it than a phone number"),
    ):
        payload["complainant"] = {"name": "王伟", "phone": bad}
        refused = intake.post("/complaints", payload, headers={"Accept-Language": "en"})
        assert refused.status_code == 422
        [error] = refused.json()["errors"]
        assert error["field"] == "complainant.phone"
        assert f"“{bad}” {said}" in error["message"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_the_clerks_form_offers_the_keypad_and_refuses_a_bad_number_at_the_phone_input(people):
    clerk = Client()
    clerk.force_login(people.intake)
    page = clerk.get("/register/").content.decode()
    phone_input = next(tag for tag in page.split("<input") if 'name="complainant.phone"' in tag)
    assert 'type="tel"' in phone_input and 'inputmode="tel"' in phone_input

    refused = clerk.post("/register/", _clerk_form(**{"complainant.phone": "12"}))

    assert refused.status_code == 422
    assert 'data-field="complainant.phone"' in refused.content.decode()
    assert not Complaint.objects.exists()
    clerk.post("/register/", _clerk_form(**{"complainant.phone": "(010) 1234 5678"}))
    assert Complaint.objects.get().complainant_phone == "+861012345678"


@pytest.mark.django_db
def test_the_public_form_offers_the_keypad_and_refuses_a_bad_number(people):
    client = Client()
    page = client.get("/complain/").content.decode()
    phone_input = next(tag for tag in page.split("<input") if 'name="phone"' in tag)
    for attribute in ('type="tel"', 'inputmode="tel"', 'autocomplete="tel"'):
        assert attribute in phone_input

    refused = client.post("/complain/", {**PUBLIC_FORM, "phone": "=2+5"}, REMOTE_ADDR="10.7.0.1")

    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'data-field="phone"' in text and "=2+5" in text
    assert not Complaint.objects.exists()
    accepted = client.post(
        "/complain/", {**PUBLIC_FORM, "phone": "+86 139 0000 0009"}, REMOTE_ADDR="10.7.0.2"
    )
    assert accepted.status_code == 302
    assert Complaint.objects.get().complainant_phone == "+8613900000009"


@pytest.mark.django_db
def test_an_imported_number_is_stored_normalised_and_a_bad_one_is_a_bad_row(people, tmp_path):
    path = tmp_path / "register.csv"
    lines = [",".join(c.header for c in COLUMNS)]
    for phone in ("139-0000-0009", "abc", "0755-8888 8888 转 123"):
        values = {**IMPORT_ROW, "complainant_phone": phone}
        lines.append(",".join(values.get(c.code, "") for c in COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with translation.override("en"):
        result = import_file(path, actor=people.admin)

    assert [(e.row, e.field) for e in result.errors] == [(3, "complainant_phone")]
    assert "“abc” is not a phone number" in result.errors[0].message
    assert sorted(Complaint.objects.values_list("complainant_phone", flat=True)) == [
        "+8613900000009",
        "+8675588888888;ext=123",
    ]


# ------------------------------------------------------------------------------ one caller


@pytest.mark.django_db
def test_a_number_typed_in_any_shape_finds_the_same_caller_everywhere(people):
    intake = people.api(people.intake)
    payload = complaint_payload(project={"name": "滨江花园二期"})
    payload["complainant"] = {"name": "李娜", "phone": "13900000002"}
    number = intake.post("/complaints", payload).json()["number"]
    clerk = Client()
    clerk.force_login(people.intake)

    for typed in ("139-0000-0002", "+86 139 0000 0002", "0086 13900000002"):
        # the caller's earlier complaints, while the clerk types
        assist = clerk.post("/register/assist", {"complainant.phone": typed}).content.decode()
        assert number in assist
        # the search of the list
        found = intake.get("/complaints", q=typed).json()["results"]
        assert [c["number"] for c in found] == [number]
    # the open duplicate, when the same caller reports the same project again
    again = clerk.post(
        "/register/",
        _clerk_form(**{"complainant.phone": "139 0000 0002", "project.name": "滨江花园二期"}),
    )
    assert again.status_code == 422 and number in again.content.decode()
    # the public form's limit per contact: one contact however it is written
    assert normal_contact("139-0000-0002") == normal_contact("+86 13900000002")
    assert normal_contact("010-1234 5678") == normal_contact("(010) 12345678")


@pytest.mark.django_db
def test_staff_read_a_chinese_number_in_the_national_format(people):
    intake = people.api(people.intake)
    number = intake.post("/complaints", complaint_payload()).json()["number"]
    clerk = Client()
    clerk.force_login(people.intake)

    page = clerk.get(f"/complaints/{number}").content.decode()

    assert "138 0000 0001" in page


# ------------------------------------------------------------------------------ rows kept


@pytest.mark.django_db
def test_the_migration_normalises_what_parses_and_keeps_the_rest(people):
    # given numbers written before they were checked (the domain takes them as given)
    category = Category.objects.get(code="service_quality")
    kept = ("abc", "12", "张先生 13900000009", "办公室 010-12345678", "13900000009a")
    for phone in ("139-0000-0009", "13900000009", "(010) 1234 5678", *kept):
        actions.register(
            actions.NewComplaint(
                channel="phone",
                title="旧数据",
                description="检查之前登记的电话。",
                category=category,
                complainant_name="王伟",
                complainant_phone=phone,
            ),
            actor=people.intake,
        )

    # when the data migration runs
    migration = importlib.import_module(
        "kesu.complaints.migrations.0013_normalise_complainant_phones"
    )
    migration.normalise_phones(apps, None)

    # then what is a number and nothing more is in the stored form; whatever had more in it
    # than formatting, or is no number, was not touched
    assert sorted(Complaint.objects.values_list("complainant_phone", flat=True)) == sorted(
        ["+8613900000009", "+8613900000009", "+861012345678", *kept]
    )


@pytest.mark.django_db
def test_the_staff_migration_keeps_a_phone_with_words_in_it(people):
    User.objects.filter(pk=people.qa.pk).update(phone="张先生 13900000009")
    User.objects.filter(pk=people.executive.pk).update(phone="139-0000-0007")
    migration = importlib.import_module("kesu.accounts.migrations.0004_normalise_staff_phones")
    migration.normalise_phones(apps, None)
    people.qa.refresh_from_db()
    people.executive.refresh_from_db()
    assert (people.qa.phone, people.executive.phone) == ("张先生 13900000009", "+8613900000007")


@pytest.mark.django_db
def test_a_phone_kept_from_before_is_exported_as_it_is_named_and_its_row_refused_on_import(
    people, tmp_path
):
    exported, told = tmp_path / "export.csv", io.StringIO()
    category = Category.objects.get(code="service_quality")
    with transaction.atomic():
        made = [
            actions.register(
                actions.NewComplaint(
                    channel="phone",
                    title=title,
                    description="旧数据。",
                    category=category,
                    complainant_name="王伟",
                    complainant_phone="13900000009",
                ),
                actor=people.intake,
            )[0]
            for title in ("旧号码", "新号码")
        ]
        # kept by the migration: a name beside the number is not formatting
        Complaint.objects.filter(pk=made[0].pk).update(complainant_phone="张先生 13900000009")
        call_command("export", str(exported), stderr=told)
        transaction.set_rollback(True)

    assert made[0].number in told.getvalue() and made[1].number not in told.getvalue()
    assert "张先生 13900000009" in exported.read_text(encoding="utf-8-sig")
    with translation.override("en"):
        result = import_file(exported, actor=people.admin)
    assert [(e.row, e.field) for e in result.errors] == [(2, "complainant_phone")]
    assert "“张先生 13900000009” has more in it than a phone number" in result.errors[0].message
    assert list(Complaint.objects.values_list("title", flat=True)) == ["新号码"]


# ------------------------------------------------------------------------------ helpers


PUBLIC_FORM = {
    "kind": "complaint",
    "title": "业务员态度不好",
    "description": "上周来电咨询报价，业务员回复不及时，态度冷淡。",
    "name": "李娜",
    "email": "lina@example.com",
    "consent": "on",
}

IMPORT_ROW = {
    "channel": "电话热线",
    "title": "阀门渗漏",
    "description": "客户反映阀门渗漏。",
    "category": "product_quality",
    "complainant_name": "王伟",
}


def _clerk_form(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "complainant.phone": "13900000002",
        "complainant.name": "李娜",
        "title": "卫生间墙面渗漏",
        "description": "入住三个月,卫生间墙面渗漏,墙皮脱落。",
        "category": "construction_leak",
        "read_back": "on",
        "idempotency_key": "k-phones",
    }
    data.update(overrides)
    return data
