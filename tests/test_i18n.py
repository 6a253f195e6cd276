"""Chinese is complete and served by default; English is one Accept-Language header away.

The catalogue is checked as a file (every message translated, placeholders kept, the compiled
.mo matching the .po) and as behaviour (API errors and choice labels in the right language).
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from kesu.complaints.choices import Action, Kind, Severity, State
from tests.conftest import complaint_payload

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = LC_MESSAGES / "django.po", LC_MESSAGES / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_TEXT = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # or full-width punctuation
PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifgxXr]")
BRACE = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


# ------------------------------------------------------------------------------------------
# a small .po reader (no extra dependency)


@dataclass
class Entry:
    line: int
    msgid: str | None = None  # None: a block of comments only (e.g. an obsolete #~ entry)
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index 0 for a singular msgstr
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def __str__(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"django.po:{number}: continuation without a keyword"
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _space, literal = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"django.po:{number}: cannot read {raw!r}")
            _set(entry, target, "")
            _append(entry, target, ast.literal_eval(literal))
    return entries


def _set(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, name, value)


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, getattr(entry, name) + text)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = read_po(PO)
    assert entries and entries[0].is_header
    return entries


def messages(catalogue: list[Entry]) -> list[Entry]:
    return [e for e in catalogue if e.msgid is not None and not e.is_header]


def placeholders(text: str) -> dict[str, set[str]]:
    return {
        "percent": set(PERCENT.findall(text)),
        "brace": set(BRACE.findall(text)),
        "tags": set(TAG.findall(text)),
    }


# ------------------------------------------------------------------------------------------
# the file


def test_header_declares_simplified_chinese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    entries = messages(catalogue)
    assert len(entries) > 300  # the whole product, not a stub
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, fuzzy
    empty = [str(e) for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not empty, empty
    single_form = [str(e) for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not single_form, f"zh has one plural form (msgstr[0] only): {single_form}"


def test_translations_keep_every_placeholder_and_tag(catalogue):
    wrong = []
    for entry in messages(catalogue):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for translated in entry.msgstr.values():
            if all(placeholders(source) != placeholders(translated) for source in sources):
                wrong.append(f"{entry}: {placeholders(translated)} in {translated!r}")
    assert not wrong, "\n".join(wrong)


def test_translations_are_chinese(catalogue):
    """A msgstr left in English is as good as missing."""
    untranslated = [
        str(e)
        for e in messages(catalogue)
        if not any(CHINESE_TEXT.search(text) for text in e.msgstr.values())
    ]
    assert not untranslated, untranslated


def test_compiled_catalogue_matches_the_po(catalogue):
    """The committed .mo holds exactly what the .po says: `make messages` was run after the
    last edit."""
    assert MO.is_file(), "run `make messages` (compilemessages) to build django.mo"
    with MO.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    stale = []
    for entry in messages(catalogue):
        if entry.msgid_plural is None:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            expected = entry.msgstr[0]
        else:
            got = compiled.ngettext(entry.msgid, entry.msgid_plural, 2)
            expected = entry.msgstr[0]
        if got != expected:
            stale.append(f"{entry}: .mo has {got!r}, .po has {expected!r}")
    assert not stale, "\n".join(stale)


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [
        ("The data is not valid.", "提交的数据无效。"),
        ("Closed", "已结案"),
        ("Level 1 (major)", "一级（重大）"),
        ("Clear quality defect", "明显质量问题"),
        ("Very dissatisfied", "很不满意"),
    ],
)
def test_django_serves_the_catalogue(msgid, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == chinese
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid


def test_plural_messages_use_the_single_chinese_form():
    with translation.override("zh-hans"):
        for count in (1, 2, 5):
            text = translation.ngettext(
                "%(count)d row was not imported.", "%(count)d rows were not imported.", count
            ) % {"count": count}
            assert text == f"{count} 行未导入。"


# ------------------------------------------------------------------------------------------
# labels


def test_state_labels_follow_the_glossary():
    with translation.override("zh-hans"):
        assert State.CLOSED.label == "已结案"
        assert [str(s.label) for s in State] == [
            "已登记",
            "已受理",
            "调查中",
            "方案制定",
            "方案审批",
            "处理中",
            "验证中",
            "客户确认",
            "回访",
            "已结案",
            "已撤销",
            "无效",
            "已合并",
        ]
        assert [str(k.label) for k in Kind] == ["投诉", "建议", "咨询"]
        assert [str(s.label) for s in Severity] == ["一级（重大）", "二级", "三级（一般）"]
    with translation.override("en"):
        assert State.CLOSED.label == "Closed"


def test_labels_that_people_pick_from_are_distinct_in_chinese():
    """Two choices with one Chinese name could not be told apart in a list."""
    with translation.override("zh-hans"):
        for choices in (State, Action, Kind, Severity):
            labels = [str(c.label) for c in choices]
            assert len(labels) == len(set(labels)), (choices.__name__, labels)


# ------------------------------------------------------------------------------------------
# the API speaks the caller's language; Chinese unless asked otherwise


@pytest.fixture
def intake(people):
    return people.api(people.intake)


@pytest.fixture
def registered(intake):
    response = intake.post("/complaints", complaint_payload())
    assert response.status_code == 201, response.content
    return response.json()["number"]


def close_too_early(intake, number: str, language: str | None = None):
    headers = {"Accept-Language": language} if language else None
    return intake.post(f"/complaints/{number}/actions/close", {}, headers=headers)


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")  # the shipped default (KESU_LANGUAGE unset)
def test_without_accept_language_a_409_is_in_chinese(intake, registered):
    response = close_too_early(intake, registered)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "wrong_state"  # codes are identifiers, never translated
    assert CJK.search(body["detail"]), body["detail"]
    assert body["detail"] == "投诉单处于“已登记”状态时，不能执行“结案”操作。"
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_without_accept_language_a_422_is_in_chinese(intake):
    response = intake.post("/complaints", {"channel": "phone"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "提交的数据无效。"
    assert {"title", "description", "category"} <= {e["field"] for e in body["errors"]}


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_accept_language_en_gets_english(intake, registered):
    response = close_too_early(intake, registered, "en")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The action “Close” is not possible while the complaint is “Registered”."
    )
    assert not CJK.search(response.json()["detail"])

    response = intake.post(
        "/complaints", {"channel": "phone"}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "The data is not valid."

    # the next caller without a preference is served Chinese again
    response = close_too_early(intake, registered)
    assert CJK.search(response.json()["detail"])


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_a_browser_asking_for_zh_cn_gets_simplified_chinese(intake, registered):
    response = close_too_early(intake, registered, "zh-CN,zh;q=0.9,en;q=0.8")
    assert response.json()["detail"] == "投诉单处于“已登记”状态时，不能执行“结案”操作。"


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_state_label_in_the_record_follows_the_language(intake, registered):
    assert intake.get(f"/complaints/{registered}").json()["state_label"] == "已登记"
    english = intake._client().get(
        f"/api/v1/complaints/{registered}", headers={"Accept-Language": "en"}
    )
    assert english.json()["state_label"] == "Registered"
    assert english.json()["state"] == "registered"


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_an_oversized_request_is_refused_in_the_callers_language(intake):
    too_large = str(settings.KESU_ATTACHMENT_MAX_BYTES + 5 * 1024 * 1024)
    english = intake._client().get("/api/v1/complaints", headers={"Accept-Language": "en"})
    assert english.headers["Content-Language"] == "en"  # an earlier English caller
    response = intake._client().post(
        "/api/v1/complaints", b"{}", content_type="application/json", CONTENT_LENGTH=too_large
    )
    assert response.status_code == 413
    assert CJK.search(response.json()["detail"]), response.json()["detail"]
