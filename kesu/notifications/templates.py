"""The words of every notification: built-in defaults, administrators' overrides, rendering.

Each message (a `TemplateCode`) has a subject and a text in Django template syntax. The
built-in wording below is translated like every other string (Chinese is the company
default); an active `NotificationTemplate` row for the same code and language wins. Messages
are rendered once, when the outbox row is written, in the recipient's language — today the
company language (settings.LANGUAGE_CODE): people and customers have no language of their own.

Variables: number, title, category, severity, state, owner, department, due (in the company
time zone), clock (the time limit's name), level (1 department heads, 2 executives), comment
(for customers only when the event is visible to them), actor, url (staff messages only);
for customers, link (their private page), refused (the files of their own submission that
were not accepted, one "name: reason" a line) and summary (what was agreed and done, in plain
words: acceptance, contact and promise, the plan's measures, completion, verification).
The digest of imported complaints' past deadline steps (`PAST_STEPS_DIGEST`) has its own:
count (complaints), breached (time limits breached), numbers (the first of them), rest (how
many more), url (the overdue list). The monthly report (`MONTHLY_REPORT`) too: period,
registered, previous (the month before), year_before, level1, commentary (QA's), url.
The monthly summaries (`DEPARTMENT_SUMMARY`, `SALES_SUMMARY`, kesu.reports.digests): period,
department, whole (the department's or the sales departments' figures on one line), people
(one line a person), url (the statistics page of that month and scope).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template import Context
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kesu.complaints.choices import EventType, Severity, State, Visibility
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.queries import categories_by_id
from kesu.core.memo import forget_on_change, memo
from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import NotificationTemplate
from kesu.notifications.wording import compiled
from kesu.policies.choices import ClockKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wording:
    subject: Any  # a lazy translated string
    body: Any


DEFAULTS: dict[TemplateCode, Wording] = {
    TemplateCode.QUALITY_NOTICE: Wording(
        _("Quality complaint {{ number }}: {{ title }}"),
        _(
            "A quality complaint was registered: {{ number }} “{{ title }}” ({{ category }}, "
            "{{ severity }}). Responsible department: {{ department }}.\n{{ url }}"
        ),
    ),
    TemplateCode.LEVEL1_NOTICE: Wording(
        _("Level-1 complaint {{ number }}: {{ title }}"),
        _(
            "A level-1 (major) complaint needs your attention: {{ number }} “{{ title }}” "
            "({{ category }}). Responsible department: {{ department }}; owner: {{ owner }}."
            "\n{{ url }}"
        ),
    ),
    TemplateCode.DISPATCHED: Wording(
        _("New complaint {{ number }} for {{ department }}"),
        _(
            "Complaint {{ number }} “{{ title }}” ({{ category }}, {{ severity }}) was "
            "dispatched to {{ department }}; owner: {{ owner }}.\n{{ url }}"
        ),
    ),
    TemplateCode.OWNER_ASSIGNED: Wording(
        _("You are the owner of complaint {{ number }}"),
        _(
            "{{ actor }} made you the owner of complaint {{ number }} “{{ title }}” "
            "({{ category }}, {{ severity }}). Please contact the customer and promise a "
            "handling deadline.\n{{ url }}"
        ),
    ),
    TemplateCode.OWNER_DEADLINE_WARNING: Wording(
        _("Complaint {{ number }}: time limit nearly reached"),
        _(
            "The time limit “{{ clock }}” of complaint {{ number }} “{{ title }}” ends at "
            "{{ due }}.\n{{ url }}"
        ),
    ),
    TemplateCode.OWNER_DEADLINE_BREACH: Wording(
        _("Complaint {{ number }}: time limit breached"),
        _(
            "The time limit “{{ clock }}” of your complaint {{ number }} “{{ title }}” ended at "
            "{{ due }} and is now breached.\n{{ url }}"
        ),
    ),
    TemplateCode.DEADLINE_BREACH: Wording(
        _("Complaint {{ number }}: time limit breached"),
        _(
            "The time limit “{{ clock }}” of complaint {{ number }} “{{ title }}” "
            "({{ department }}, owner: {{ owner }}) ended at {{ due }} and is breached.\n{{ url }}"
        ),
    ),
    TemplateCode.ESCALATION: Wording(
        _("Complaint {{ number }} escalated to you"),
        _(
            "{{ actor }} escalated complaint {{ number }} “{{ title }}” ({{ category }}, "
            "{{ severity }}, now: {{ state }}; department: {{ department }}, owner: {{ owner }})."
            " Reason: {{ comment }}\n{{ url }}"
        ),
    ),
    TemplateCode.BREACH_ESCALATION: Wording(
        _("Complaint {{ number }}: breached time limit escalated to you"),
        _(
            "The time limit “{{ clock }}” of complaint {{ number }} “{{ title }}” "
            "({{ department }}, owner: {{ owner }}) was breached at {{ due }} and the work is "
            "still not done.\n{{ url }}"
        ),
    ),
    TemplateCode.CUSTOMER_ACCEPTED: Wording(
        _("Your complaint {{ number }} has been accepted"),
        _(
            "Dear customer, your complaint “{{ title }}” (number {{ number }}) has been "
            "accepted. {{ owner }} is responsible for it and will contact you soon."
            "{% if link %}\n{{ link }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_PLAN: Wording(
        _("Your complaint {{ number }}: the treatment plan is settled"),
        _(
            "Dear customer, the treatment plan for your complaint “{{ title }}” (number "
            "{{ number }}) is settled and is now being carried out. We will keep you informed."
            "{% if summary %}\n\n{{ summary }}\n{% endif %}"
            "{% if link %}\n{{ link }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_PROGRESS: Wording(
        _("Your complaint {{ number }}: progress"),
        _(
            "Dear customer, progress on your complaint “{{ title }}” (number {{ number }}): "
            "{{ comment }}"
            "{% if link %}\n{{ link }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_COMPLETED: Wording(
        _("Your complaint {{ number }}: treatment completed"),
        _(
            "Dear customer, the treatment of your complaint “{{ title }}” (number {{ number }}) "
            "is completed. We will check the result and then ask for your confirmation."
            "{% if summary %}\n\n{{ summary }}\n{% endif %}"
            "{% if link %}\n{{ link }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_RETURN_VISIT: Wording(
        _("Thank you for your feedback on complaint {{ number }}"),
        _(
            "Dear customer, thank you for answering our return visit about your complaint "
            "“{{ title }}” (number {{ number }}). Your opinion helps us improve."
        ),
    ),
    TemplateCode.CUSTOMER_RECEIVED: Wording(
        _("We have received your complaint {{ number }}: {{ title }}"),
        _(
            "Dear customer, we have received your complaint “{{ title }}”. Its number is "
            "{{ number }}.{% if link %} On this private page you can follow it and add "
            "information or files:\n{{ link }}{% endif %}{% if refused %}\n\nThese files "
            "were not accepted:\n{{ refused }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_CONFIRM: Wording(
        _("Your complaint {{ number }}: please confirm the result"),
        _(
            "Dear customer, the treatment of your complaint “{{ title }}” (number {{ number }}) "
            "has been checked.{% if summary %}\n\n{{ summary }}\n\n{% else %} {% endif %}"
            "Please tell us whether you are satisfied with the result"
            "{% if link %}:\n{{ link }}{% else %}.{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_SURVEY: Wording(
        _("Your complaint {{ number }}: how did we do?"),
        _(
            "Dear customer, thank you for confirming the result of your complaint “{{ title }}”"
            " (number {{ number }}).{% if link %} Please answer three short questions about how "
            "we handled it:\n{{ link }}{% endif %}"
        ),
    ),
    TemplateCode.CUSTOMER_LINK: Wording(
        _("Your private link for complaint {{ number }}"),
        _(
            "Dear customer, here is your private page for your complaint “{{ title }}” "
            "(number {{ number }}). Links we sent you before no longer work.\n{{ link }}"
        ),
    ),
    TemplateCode.CUSTOMER_WROTE: Wording(
        _("Complaint {{ number }}: the customer wrote"),
        _(
            "The customer of complaint {{ number }} “{{ title }}” ({{ state }}): {{ event }}."
            "\n{{ comment }}\n{{ url }}"
        ),
    ),
    TemplateCode.PAST_STEPS_DIGEST: Wording(
        _("Imported complaints already past their time limits: {{ count }}"),
        _(
            "Complaints imported from the previous register had run out of time before they "
            "came into Kesu: {{ breached }} time limits of {{ count }} complaints were "
            "breached already. The warnings, breaches and escalations are recorded on their "
            "timelines and in the statistics, without a message for each: {{ numbers }}"
            "{% if rest %} and {{ rest }} more{% endif %}.\n{{ url }}"
        ),
    ),
    TemplateCode.MONTHLY_REPORT: Wording(
        _("Monthly complaint report {{ period }}"),
        _(
            "The complaint report for {{ period }} is issued. Complaints registered: "
            "{{ registered }} ({{ previous }} the month before, {{ year_before }} a year "
            "before); of level 1: {{ level1 }}.{% if commentary %}\n\nQuality department's "
            "commentary:\n{{ commentary }}{% endif %}\n\n{{ url }}"
        ),
    ),
    TemplateCode.DEPARTMENT_SUMMARY: Wording(
        _("Complaint summary {{ period }}: {{ department }}"),
        _(
            "The complaints of {{ department }} in {{ period }}:\n{{ whole }}\n\nBy person:\n"
            "{{ people }}\n\n{{ url }}"
        ),
    ),
    TemplateCode.SALES_SUMMARY: Wording(
        _("Salespeople's complaint summary {{ period }}"),
        _(
            "The complaints the salespeople ({{ department }}) handled in {{ period }}:\n"
            "{{ whole }}\n\nBy salesperson:\n{{ people }}\n\n{{ url }}"
        ),
    ),
}
assert set(DEFAULTS) == set(TemplateCode), "every message has its built-in wording"


def _overrides() -> dict[tuple[str, str], tuple[str, str]]:
    rows = NotificationTemplate.objects.filter(active=True).values_list(
        "code", "language", "subject", "body"
    )
    return {(code, language): (subject, body) for code, language, subject, body in rows}


forget_on_change("notify:templates", NotificationTemplate)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def render(code: TemplateCode, context: dict[str, Any], language: str) -> Rendered:
    """The message `code` in `language`: the active override if any, else the built-in."""
    with translation.override(language):
        override = memo("notify:templates", _overrides).get((code, language))
        if override is not None:
            try:
                return _render(*override, context, language)
            except Exception:  # a broken override must not silence the message
                logger.exception(
                    "notification template %s (%s) failed; using the default", code, language
                )
        default = DEFAULTS[code]
        return _render(str(default.subject), str(default.body), context, language)


def _render(subject: str, body: str, context: dict[str, Any], language: str) -> Rendered:
    ctx = Context(context, autoescape=False)
    subject_text = " ".join(compiled(subject).render(ctx).split())  # one header line
    return Rendered(subject_text[:300], compiled(body).render(ctx).strip(), language)


# ------------------------------------------------------------------------------------------
# the facts a message may use


class _Named:
    """A name with an English variant, shown in the language of the rendering."""

    def __init__(self, name: str, name_en: str = ""):
        self.name, self.name_en = name, name_en

    def __str__(self) -> str:
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


NOBODY = "—"


def _local(instant: datetime | None) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


def _due(data: dict) -> str:
    raw = data.get("due_at")
    if not raw:
        return ""
    try:
        return _local(datetime.fromisoformat(raw))
    except (TypeError, ValueError):
        return str(raw)


def _clock(data: dict) -> Any:
    raw = data.get("clock", "")
    try:
        return ClockKind(raw).label
    except ValueError:
        return raw


def staff_context(
    complaint: Complaint,
    event: ComplaintEvent,
    *,
    department_name: str = "",
    owner_name: str = "",
) -> dict[str, Any]:
    """What staff messages may say about `event` on `complaint`."""
    category = categories_by_id().get(complaint.category_id)
    data = event.data or {}
    actor = event.actor if event.actor_id else None
    return {
        "number": complaint.number,
        "title": complaint.title,
        "category": _Named(category.name, category.name_en) if category else "",
        "severity": Severity(complaint.severity).label,
        "state": State(complaint.state).label,
        "owner": owner_name or NOBODY,
        "department": department_name or NOBODY,
        "due": _due(data),
        "clock": _clock(data),
        "level": data.get("level", ""),
        "comment": event.comment,
        "actor": actor.get_full_name() if actor else "Kesu",
        "event": EventType(event.type).label if event.type in EventType.values else event.type,
        "url": complaint_url(complaint.number),
    }


def customer_context(
    staff: dict[str, Any], event: ComplaintEvent, *, link: str = "", summary: Any = ""
) -> dict[str, Any]:
    """The customer's view: internal comments and staff links are left out; `link` is the
    customer's private page (kesu.portal.links); `refused` the files not accepted; `summary`
    what was agreed and done (kesu.portal.summary.Summary: read only when a message uses it)."""
    return {
        **staff,
        "comment": event.comment if event.visibility == Visibility.CUSTOMER else "",
        "url": "",
        "link": link,
        "refused": refused_files_text(event),
        "summary": summary,
    }


def refused_files_text(event: ComplaintEvent) -> str:
    """The files of the event that were not accepted, one "name: reason" a line."""
    refused = (event.data or {}).get("refused_files") or []
    return "\n".join(f"{f.get('name', '')}: {f.get('reason', '')}" for f in refused)


def overdue_url() -> str:
    """The workspace's list of overdue complaints, as a link in a message."""
    return settings.KESU_BASE_URL + reverse("inbox") + "?tab=overdue"


def complaint_url(number: str) -> str:
    """The complaint's page in the workspace, as a link in a message (KESU_BASE_URL)."""
    return settings.KESU_BASE_URL + reverse("complaint", args=[number])
