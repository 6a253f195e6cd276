"""The form each action needs, drawn from the same pydantic schema the REST API validates with.

A form is a list of `FormField`s: one per field of the action's schema, with a widget chosen
from its type (or, for references such as an owner or a department, from its name). A posted
form is read back into the schema's shape, validated by the schema, resolved by
`kesu.complaints.payloads` and performed by the domain — the same path as the API — so no
rule lives here. Errors come back keyed by the schema's field path ("measures.0.deadline").
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, get_args

from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import requirements
from kesu.complaints.choices import (
    QUIET_EVENTS,
    Action,
    CostBearer,
    CostItem,
    SurveyScale,
)
from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Complaint
from kesu.complaints.queries import departments_by_code
from kesu.complaints.satisfaction import ANSWER_LABELS, SCALE_POINTS, SURVEY_QUESTIONS
from kesu.complaints.schemas import ACTION_SCHEMAS
from kesu.core.validation import MESSAGES, error_message

MEASURE_ROWS = 3
COST_ROWS = 4
TEXTAREA_FROM = 2000  # a string field this long or longer is a text area


class Widget(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    SELECT = "select"
    CHECKBOX = "checkbox"
    DATETIME = "datetime"
    NUMBER = "number"
    FILES = "files"
    MEASURES = "measures"
    COST = "cost"
    ANSWERS = "answers"


LABELS = {
    "owner": _("Owner"),
    "department": _("Department"),
    "comment": _("Comment"),
    "reason": _("Reason"),
    "method": _("How"),
    "promised_at": _("Handling promised by"),
    "summary": _("Summary"),
    "sampling_needed": _("Samples must be taken on site"),
    "findings": _("Findings"),
    "sampled": _("Samples taken"),
    "visited_at": _("Visited at"),
    "attachments": _("Attachments"),
    "determination": _("Determination"),
    "root_cause": _("Root cause"),
    "responsible_department": _("Responsible department"),
    "responsible_person": _("Responsible person"),
    "evidence": _("Evidence"),
    "report": _("Report"),
    "measures": _("Measures"),
    "in_warranty": _("Within warranty"),
    "repair_scope": _("Repair scope"),
    "returned_to_company": _("The product was returned to the company"),
    "handler_could_determine": _("The handler could have determined the cause on site"),
    "cost": _("Cost split"),
    "cost_reason": _("Reason for changing the proposed split"),
    "expert_review": _("Expert review"),
    "message": _("Message to the customer"),
    "passed": _("Verification passed"),
    "satisfied": _("The customer is satisfied"),
    "scale": _("Survey scale"),
    "answers": _("Survey answers"),
    "remarks": _("Remarks"),
    "kind": _("Appeal to"),
    "authority": _("Authority"),
    "explanation": _("Explanation"),
    "into": _("Merge into complaint number"),
    "severity": _("Severity"),
    "to_state": _("Reopen at"),
    "solution": _("Solution"),
    "customer_confirmed": _("The customer confirmed the solution"),
    "answer": _("Answer"),
    "text": _("Text"),
    "visibility": _("Who sees it"),
}
YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]


@dataclass
class FormField:
    name: str
    label: Any
    widget: Widget
    required: bool
    value: Any = None
    choices: list[tuple[Any, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # measures, cost lines, questions
    error: str = ""

    @property
    def wide(self) -> bool:
        return self.widget in WIDE

    @property
    def error_id(self) -> str:
        return error_id(self.name)


@dataclass
class ActionForm:
    action: Action
    fields: list[FormField]
    version: int
    errors: dict[str, str] = field(default_factory=dict)  # "" holds errors of no one field

    seen: int = 0  # the newest event of the complaint when the form was first drawn
    stale: list[str] = field(default_factory=list)  # what others did since the form was drawn
    usable: bool = True  # False: the action is no longer possible; the form is not drawn

    @property
    def general_errors(self) -> list[str]:
        known = {f.name for f in self.fields}
        return [m for k, m in self.errors.items() if k.split(".")[0] not in known]

    @property
    def summary(self) -> list[dict[str, str]]:
        """Every error of the form at once, each with its field's label and a link to it."""
        labels = {f.name: f.label for f in self.fields}
        return [
            {"label": labels.get(k.split(".")[0], ""), "message": m, "anchor": error_id(k)}
            for k, m in self.errors.items()
            if k.split(".")[0] in labels
        ]


# ------------------------------------------------------------------------------ choices


def staff_choices() -> list[tuple[str, str]]:
    """People who may own a complaint: active handlers and department heads."""
    people = (
        User.objects.filter(is_active=True, role__in=(Role.HANDLER, Role.DEPT_HEAD))
        .select_related("department")
        .order_by("department__code", "username")
    )
    return [(p.username, " · ".join(filter(None, (p.get_full_name(), _dept(p))))) for p in people]


def _dept(user: User) -> str:
    return user.department.name if user.department is not None else ""


def department_choices() -> list[tuple[str, str]]:
    return sorted(((code, d.name) for code, d in departments_by_code().items()), key=lambda x: x[0])


def _enum_of(annotation) -> type[models.Choices] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, models.Choices):
            return candidate
    return None


def _is_bool(annotation) -> bool:
    return annotation is bool or (bool in get_args(annotation))


def _max_length(info) -> int | None:
    for item in info.metadata:
        if getattr(item, "max_length", None):
            return item.max_length
    return None


# ------------------------------------------------------------------------------ building


LIST_WIDGETS = {"measures": Widget.MEASURES, "cost": Widget.COST, "answers": Widget.ANSWERS}
WIDE = {Widget.TEXTAREA, Widget.FILES, Widget.MEASURES, Widget.COST, Widget.ANSWERS}


def _widget(name: str, info) -> Widget:
    """The widget of a schema field: from its name for references and lists, else its type."""
    annotation = info.annotation
    if name in ("owner", "department", "responsible_department"):
        return Widget.SELECT
    if name in ("attachments", "evidence"):
        return Widget.FILES
    if name in LIST_WIDGETS:
        return LIST_WIDGETS[name]
    if _enum_of(annotation) or (_is_bool(annotation) and _asked(info)):
        return Widget.SELECT
    if _is_bool(annotation):
        return Widget.CHECKBOX
    if annotation is datetime or datetime in get_args(annotation):
        return Widget.DATETIME
    if annotation is int:
        return Widget.NUMBER
    if (_max_length(info) or TEXTAREA_FROM) >= TEXTAREA_FROM:
        return Widget.TEXTAREA
    return Widget.TEXT


def _asked(info) -> bool:
    """A required or three-valued yes/no is asked, not defaulted by an unticked box."""
    return info.is_required() or type(None) in get_args(info.annotation)


def _posted(data: QueryDict | None, name: str) -> str:
    return (data.get(name) or "") if data is not None else ""


def _choices(name: str, info, complaint: Complaint) -> list[tuple[Any, Any]]:
    """The options of a select or file list (only when a form is drawn: they cost queries)."""
    if name == "owner":
        return staff_choices()
    if name in ("department", "responsible_department"):
        return department_choices()
    if name in ("attachments", "evidence"):
        return [(a.pk, a.name) for a in complaint.attachments.all()]
    if enum := _enum_of(info.annotation):
        return list(enum.choices)
    if _is_bool(info.annotation):
        return list(YES_NO)
    return []


def required_fields(action: Action, complaint: Complaint, data: QueryDict | None) -> list[str]:
    """The fields this complaint, with what was posted, requires besides those the schema
    always requires (`kesu.complaints.requirements`): marked as required when the form is
    drawn, and reported with the schema's errors so that one submit names every missing
    field. The domain still decides; this only shows it early."""
    answers = payload_of(action, data) if data is not None else {}
    return requirements.required(action, complaint, answers)


def missing_too(
    action: Action, complaint: Complaint, data: QueryDict, errors: dict[str, str]
) -> dict[str, str]:
    """The schema's errors, and every field this complaint requires that was left empty."""
    found = dict(errors)
    for name in required_fields(action, complaint, data):
        empty = not any(v.strip() for v in data.getlist(name))
        if name not in found and empty:
            found[name] = str(MESSAGES["missing"])
    return found


def _initial(action: Action, name: str, complaint: Complaint, user: User) -> Any:
    if name == "owner":
        if complaint.owner is not None:
            return complaint.owner.username
        return user.username if user.role in (Role.HANDLER, Role.DEPT_HEAD) else ""
    if name == "department" and action == Action.ACCEPT:
        return complaint.department.code if complaint.department is not None else ""
    if name == "scale":
        return SurveyScale.FIVE
    return None


def build(
    action: Action,
    complaint: Complaint,
    user: User,
    data: QueryDict | None = None,
    errors: dict[str, str] | None = None,
) -> ActionForm:
    """The form for `action` on `complaint`: initial values, or what was posted and its errors."""
    schema = ACTION_SCHEMAS[action]
    errors = errors or {}
    form_fields = []
    scale = _scale(data) if data is not None else SurveyScale.FIVE
    required_here = required_fields(action, complaint, data)
    for name, info in schema.model_fields.items():
        if name == "expected_version":
            continue
        widget = _widget(name, info)
        choices = _choices(name, info, complaint)
        value: Any
        if data is not None:
            value = data.getlist(name) if widget == Widget.FILES else data.get(name, "")
            if widget == Widget.CHECKBOX:
                value = name in data
        else:
            value = _initial(action, name, complaint, user)
        if widget == Widget.FILES:
            value = [str(v) for v in (value or [])]
        if widget == Widget.SELECT and (
            not info.is_required() or _is_bool(info.annotation) or not value
        ):  # a required choice with nothing chosen yet is chosen by the person, not the first
            choices = [("", "—"), *choices]
        f = FormField(
            name=name,
            label=LABELS.get(name, name),
            widget=widget,
            required=info.is_required() or name in required_here,
            value="" if value is None else value,
            choices=choices,
            error=_field_error(name, errors),
        )
        if widget == Widget.MEASURES:
            f.rows = _measure_rows(data, errors)
            f.choices = staff_choices()
        elif widget == Widget.COST:
            f.rows = _cost_rows(data, errors)
        elif widget == Widget.ANSWERS:
            f.rows = _question_rows(data, errors, scale)
        form_fields.append(f)
    expected = _posted(data, "expected_version")
    version = int(expected) if expected.isdigit() else complaint.version
    seen_event = _posted(data, "seen_event")
    seen = int(seen_event) if seen_event.isdigit() else newest_event(complaint)
    return ActionForm(action, form_fields, version, errors, seen=seen)


def newest_event(complaint: Complaint) -> int:
    """The id of the complaint's newest event (0 for none): what a form drawn now has seen."""
    return complaint.events.order_by("-id").values_list("id", flat=True).first() or 0


def error_id(name: str) -> str:
    """The id of a field's error message, which its input names in `aria-describedby`."""
    return "err-" + (name.replace(".", "-") or "form")


def _field_error(name: str, errors: dict[str, str]) -> str:
    """The field's own errors; those of one row of a list field are shown on that row."""
    return " ".join(
        message
        for key, message in errors.items()
        if key == name or (key.startswith(name + ".") and not key.split(".")[1].isdigit())
    )


def _row_errors(errors: dict[str, str], prefix: str) -> list[tuple[str, str, str]]:
    return [
        (key, message, error_id(key)) for key, message in errors.items() if key.startswith(prefix)
    ]


def _scale(data: QueryDict) -> int:
    try:
        return SurveyScale(int(data.get("scale") or SurveyScale.FIVE))
    except ValueError:
        return SurveyScale.FIVE


def _measure_rows(data, errors) -> list[dict[str, Any]]:
    count = max(MEASURE_ROWS, _row_count(data, "measures") if data else 0)
    return [
        {
            "i": i,
            **{
                col: (data.get(f"measures.{i}.{col}", "") if data else "")
                for col in ("description", "owner", "deadline")
            },
            "errors": _row_errors(errors, f"measures.{i}."),
        }
        for i in range(count)
    ]


def _cost_rows(data, errors) -> list[dict[str, Any]]:
    return [
        {
            "i": i,
            **{
                col: (data.get(f"cost.{i}.{col}", "") if data else "")
                for col in ("item", "bearer", "share_pct")
            },
            "errors": _row_errors(errors, f"cost.{i}."),
            "items": CostItem.choices,
            "bearers": CostBearer.choices,
        }
        for i in range(COST_ROWS)
    ]


def _question_rows(data, errors, scale: int) -> list[dict[str, Any]]:
    options = [(code, ANSWER_LABELS[code]) for code in SCALE_POINTS[scale]]
    return [
        {
            "i": i,
            "question": question,
            "value": data.get(f"answers.{i}", "") if data else "",
            "options": options,
        }
        for i, question in enumerate(SURVEY_QUESTIONS)
    ]


def _row_count(data: QueryDict, prefix: str) -> int:
    """How many rows of a list field were posted (its highest index + 1)."""
    keys = (k.split(".") for k in data if k.startswith(prefix + "."))
    return max((int(parts[1]) + 1 for parts in keys if parts[1].isdigit()), default=0)


# ------------------------------------------------------------------------------ reading back


def local_to_iso(local: str) -> str | None:
    """`datetime-local` input (the user's wall clock) → an ISO instant with its offset."""
    if not local:
        return None
    try:
        value = datetime.fromisoformat(local)
    except ValueError:
        return local  # the schema says what is wrong with it
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value.isoformat()


def payload_of(action: Action, data: QueryDict) -> dict[str, Any]:
    """The posted form in the shape of the action's schema (not yet validated)."""
    schema = ACTION_SCHEMAS[action]
    payload: dict[str, Any] = {"expected_version": data.get("expected_version") or None}
    for name, info in schema.model_fields.items():
        if name == "expected_version":
            continue
        widget = _widget(name, info)
        raw = data.get(name, "")
        if widget == Widget.CHECKBOX:
            payload[name] = name in data
        elif widget == Widget.SELECT and _is_bool(info.annotation):
            payload[name] = {YES: True, NO: False}.get(raw)
        elif widget == Widget.FILES:
            payload[name] = [int(v) for v in data.getlist(name) if v.isdigit()]
        elif widget == Widget.DATETIME:
            payload[name] = local_to_iso(raw)
        elif widget == Widget.MEASURES:
            payload[name] = [
                {
                    "description": row["description"],
                    "owner": row["owner"],
                    "deadline": local_to_iso(row["deadline"]),
                }
                for row in _measure_rows(data, {})
                if row["description"] or row["owner"] or row["deadline"]
            ]
        elif widget == Widget.COST:
            lines = [
                {
                    "item": row["item"],
                    "bearer": row["bearer"],
                    "share_pct": row["share_pct"] or None,
                }
                for row in _cost_rows(data, {})
                if row["item"] or row["bearer"] or row["share_pct"]
            ]
            payload[name] = lines or None
        elif widget == Widget.ANSWERS:
            rows = _question_rows(data, {}, _scale(data))
            payload[name] = [row["value"] for row in rows if row["value"]]
        elif raw == "" and not info.is_required():
            continue  # the schema's default
        else:
            payload[name] = raw
    return payload


def validation_errors(error: ValidationError) -> dict[str, str]:
    """pydantic's errors keyed by field path, every one in the user's language (the table
    the API reads too: kesu.core.validation)."""
    out: dict[str, str] = {}
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        out.setdefault(key, error_message(item))
    return out


SHOWN_CHANGES = 5


def what_changed(complaint: Complaint, since_version: str, seen_event: str = "") -> list[str]:
    """In words, what others did to the complaint since the form was drawn (at most five
    steps, oldest first), and where it stands now: no version numbers.

    The steps are the events after `seen_event` (the newest the form had seen), those that
    changed the complaint first; a form without it (drawn before it carried one) is told
    the newest steps that changed the complaint, one for each version it missed."""
    newest_first = complaint.events.select_related("actor").order_by("-id")
    if seen_event.isdigit():
        after = list(newest_first.filter(id__gt=int(seen_event))[:50])
        changed = [e for e in after if e.type not in QUIET_EVENTS]
        quiet = [e for e in after if e.type in QUIET_EVENTS]
        events = (changed + quiet)[:SHOWN_CHANGES]
    else:
        seen = int(since_version) if since_version.isdigit() else complaint.version - 1
        missed = min(max(complaint.version - seen, 1), SHOWN_CHANGES)
        recent = list(newest_first[:50])
        events = [e for e in recent if e.type not in QUIET_EVENTS][:missed] or recent[:1]
    events.sort(key=lambda e: e.pk)
    lines = [
        _("%(who)s: %(what)s (%(at)s)")
        % {
            "who": _who(event),
            "what": event.get_type_display(),
            "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
        }
        for event in events
    ]
    lines.append(_("The complaint is now: %(state)s.") % {"state": complaint.get_state_display()})
    return [str(line) for line in lines]


def _who(event) -> str:
    if (event.data or {}).get("by") == "customer":
        return str(_("the customer"))
    if event.actor is None:
        return str(_("system"))
    return event.actor.get_full_name() or event.actor.username


def domain_errors(error: ComplaintError) -> dict[str, str]:
    if error.fields:
        return {k: str(v) for k, v in error.fields.items()}
    return {"": str(error.message)}
