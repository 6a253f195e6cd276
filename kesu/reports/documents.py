"""A complaint's three paper forms as PDF, in the active language (Chinese by default):

- 《客户投诉登记表》 `registration`: the record of SPEC §2 (as it stands now);
- 《客户投诉处理单》 `handling_sheet`: the record, the determination and its cause, the plan with
  its cost responsibility, the approvals, the result, the whole timeline, and signature lines;
- 《客户问题处理确认书》 `confirmation`: what was done in the customer's words (the portal's
  `summary.facts`, never staff's own notes), the customer's confirmation and satisfaction,
  and the lines the customer and the handler sign;
- 《内联单》 `liaison`: one department asking another to act (see `liaisons` for what in the
  timeline is one), with the matter, the request, the deadline, the answer and signatures;
- 《外出服务报告》 `site_service_report`: one section per site visit, signed by the customer.

The last two exist only when the timeline holds what they print: `NothingToPrint` says so.

Reads only; each function takes a complaint the caller may see and returns the PDF's bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.complaints.choices import (
    AppealKind,
    Channel,
    ContactMethod,
    CostBearer,
    CostItem,
    Determination,
    EventType,
    Kind,
    Severity,
    SkipReason,
    State,
)
from kesu.complaints.models import Complaint, ComplaintEvent, Plan, PlanStatus, ReturnVisit
from kesu.complaints.satisfaction import ANSWER_LABELS, SURVEY_QUESTIONS
from kesu.core import phones
from kesu.deadlines import engine as deadline_engine
from kesu.policies.choices import ClockKind
from kesu.portal import summary
from kesu.reports.pdf import Document

Rows = list[list[tuple[str, str]]]

# ------------------------------------------------------------------------------ wording


def when(value: datetime | None) -> str:
    """An instant as people in the installation's zone read it."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def day(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _iso_day(raw: str) -> str:
    try:
        return timezone.localtime(datetime.fromisoformat(raw)).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return raw or ""


def person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def label(choices: Any, value: Any) -> str:
    """The label of a choice in the active language; an unknown value as it is stored."""
    if value in ("", None):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _amount(value: Decimal | None) -> str:
    return f"{value:,.2f}" if value is not None else ""


def _number(value: Decimal | None) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def actor_of(event: ComplaintEvent) -> str:
    """Who did it: a person, the customer, or Kesu itself (the deadline sweeper)."""
    if event.actor is not None:
        return person(event.actor)
    if (event.data or {}).get("by") == "customer":
        return _("Customer")
    return _("System")


def event_text(event: ComplaintEvent) -> str:
    data = event.data or {}
    if event.comment:
        return event.comment
    if event.type == EventType.ATTACH:
        return str(data.get("name", ""))
    return ""


def _state_change(event: ComplaintEvent) -> str:
    if event.to_state and event.to_state != event.from_state:
        return f"{label(State, event.from_state)} → {label(State, event.to_state)}".strip()
    return ""


# ------------------------------------------------------------------------------ what is read


def _events(c: Complaint) -> list[ComplaintEvent]:
    return list(c.events.select_related("actor").order_by("id"))


def _last(events: Iterable[ComplaintEvent], *types: str) -> ComplaintEvent | None:
    found = None
    for event in events:
        if event.type in types:
            found = event
    return found


def _plan_in_force(c: Complaint) -> Plan | None:
    """The newest plan that was approved or filed; else the newest proposed one."""
    plans = list(c.plans.select_related("proposed_by", "decided_by").order_by("-id"))
    settled = [p for p in plans if p.status in (PlanStatus.APPROVED, PlanStatus.FILED)]
    if settled:
        return settled[0]
    return plans[0] if plans else None


def _owners(plan: Plan | None) -> dict[int, str]:
    if plan is None:
        return {}
    ids = {m.get("owner") for m in plan.measures}
    return {u.pk: person(u) for u in User.objects.filter(pk__in=ids)}


# ------------------------------------------------------------------------------ the record


def _record_rows(c: Complaint) -> Rows:
    """The 《客户投诉登记表》's fields (SPEC §2), in the order of the paper form."""
    rows: Rows = [
        [(_("Number"), c.number), (_("Kind"), label(Kind, c.kind))],
        [(_("Channel"), label(Channel, c.channel)), (_("Registered at"), when(c.registered_at))],
        [(_("Registered by"), person(c.registered_by)), (_("State"), label(State, c.state))],
        [
            (_("Complainant"), _("Anonymous") if c.anonymous else c.complainant_name),
            (_("Organisation"), c.complainant_org),
        ],
        [(_("Phone"), phones.display(c.complainant_phone)), (_("E-mail"), c.complainant_email)],
        [(_("Address"), c.complainant_address)],
    ]
    if c.product_model or c.batch_no or c.order_no or c.ship_date or c.quantity is not None:
        rows += [
            [(_("Product model"), c.product_model), (_("Batch / lot number"), c.batch_no)],
            [(_("Order number"), c.order_no), (_("Quantity"), _number(c.quantity))],
            [(_("Ship date"), day(c.ship_date)), (_("Arrival date"), day(c.arrival_date))],
        ]
    if c.project_name or c.project_location:
        rows.append(
            [
                (_("Project"), c.project_name),
                (_("Location / part of the building"), c.project_location),
            ]
        )
    rows += [
        [(_("Subject"), c.title)],
        [(_("When it happened"), when(c.occurred_at)), (_("Where"), c.occurred_place)],
        [
            (_("Claimed amount (yuan)"), _amount(c.claim_amount)),
            (_("Category"), c.category.name if c.category_id else ""),
        ],
        [
            (_("Severity"), label(Severity, c.severity)),
            (_("Responsible department"), c.department.name if c.department else ""),
        ],
        [(_("Owner"), person(c.owner)), (_("Promised handling deadline"), when(c.promised_at))],
        [(_("Read back to and confirmed by the customer"), yes_no(c.read_back))],
    ]
    return rows


def _attachment_rows(c: Complaint) -> list[list[str]]:
    return [
        [a.name, a.content_type, f"{a.size:,}", when(a.uploaded_at), person(a.uploaded_by)]
        for a in c.attachments.select_related("uploaded_by").order_by("id")
    ]


def _attachments(doc: Document, c: Complaint) -> None:
    doc.heading(_("Evidence (attachments)"))
    doc.data_table(
        [_("File name"), _("Type"), _("Bytes"), _("Added"), _("By")],
        _attachment_rows(c),
        (34, 20, 12, 18, 16),
    )


def registration(c: Complaint) -> bytes:
    """《客户投诉登记表》: the record of SPEC §2 as it stands, with the lines intake and the
    customer (who heard it read back) sign."""
    doc = Document(_("Customer complaint registration form"), reference=c.number)
    doc.heading(_("The complaint"))
    doc.form_grid(_record_rows(c))
    doc.text_block(_("What happened"), c.description)
    doc.text_block(_("What the customer demands"), c.demand)
    if c.severity != c.severity_proposed or c.severity_reason:
        doc.text_block(_("Reason for the severity"), c.severity_reason)
    _attachments(doc, c)
    doc.signatures([_("Registered by"), _("Customer (read back and confirmed)")])
    return doc.bytes()


# ------------------------------------------------------------------------------ handling


def _investigation(doc: Document, c: Complaint, events: Sequence[ComplaintEvent]) -> None:
    doc.heading(_("Investigation and determination"))
    doc.form_grid(
        [
            [
                (_("Determination"), label(Determination, c.determination)),
                (_("QA determination"), label(Determination, c.qa_determination)),
            ],
            [
                (
                    _("Department responsible for the cause"),
                    c.responsible_department.name if c.responsible_department else "",
                ),
                (_("Person responsible for the cause"), c.responsible_person),
            ],
        ]
    )
    doc.text_block(_("Root cause"), c.root_cause)
    visits = [e for e in events if e.type == EventType.VISIT]
    if visits:
        doc.data_table(
            [_("Site visit"), _("By"), _("Record")],
            [[when(e.at), actor_of(e), e.comment] for e in visits],
            (18, 14, 68),
        )


def _plan(doc: Document, plan: Plan | None) -> None:
    doc.heading(_("Treatment plan"))
    if plan is None:
        doc.note(_("No plan has been proposed."))
        return
    doc.form_grid(
        [
            [
                (_("Plan status"), label(PlanStatus, plan.status)),
                (_("In warranty"), yes_no(plan.in_warranty)),
            ],
            [
                (_("Proposed by"), person(plan.proposed_by)),
                (_("Proposed at"), when(plan.proposed_at)),
            ],
        ]
    )
    owners = _owners(plan)
    doc.data_table(
        [_("Measure"), _("Owner"), _("Deadline")],
        [
            [
                str(m.get("description", "")),
                owners.get(m.get("owner"), ""),
                _iso_day(m.get("deadline", "")),
            ]
            for m in plan.measures
        ],
        (64, 18, 18),
    )
    doc.heading(_("Cost responsibility"))
    doc.data_table(
        [_("Cost item"), _("Borne by"), _("Share (%)"), _("Proposed by the rules (%)")],
        _cost_rows(plan),
        (40, 24, 16, 20),
    )
    if plan.cost_reason:
        doc.text_block(_("Reason for changing the cost split"), plan.cost_reason)
    if plan.expert_review:
        doc.text_block(_("Expert review"), plan.expert_review)


def _cost_rows(plan: Plan) -> list[list[str]]:
    proposed = {(line.get("item"), line.get("bearer")): line for line in plan.cost_proposed}
    return [
        [
            label(CostItem, line.get("item")),
            label(CostBearer, line.get("bearer")),
            str(line.get("share_pct", "")),
            str(proposed.get((line.get("item"), line.get("bearer")), {}).get("share_pct", "—")),
        ]
        for line in plan.cost
    ]


_DECISIONS = (  # the approval data and QA's determination and verification (处理意见书)
    EventType.DETERMINE,
    EventType.QA_DETERMINE,
    EventType.PROPOSE_PLAN,
    EventType.APPROVE_PLAN,
    EventType.REJECT_PLAN,
    EventType.RECLASSIFY,
    EventType.ESCALATE,
    EventType.APPEAL,
    EventType.VERIFY,
)


def _approvals(doc: Document, events: Sequence[ComplaintEvent]) -> None:
    doc.heading(_("Approvals and decisions"))
    rows = []
    for e in events:
        if e.type not in _DECISIONS:
            continue
        text = e.comment
        data = e.data or {}
        if e.type == EventType.APPEAL and (kind := data.get("kind")):
            text = f"{label(AppealKind, kind)}: {text}"
        if e.type in (EventType.DETERMINE, EventType.QA_DETERMINE) and data.get("determination"):
            text = f"{label(Determination, data['determination'])}: {text}"
        if e.type == EventType.VERIFY:
            text = f"{_('passed') if data.get('passed') else _('failed')}: {text}"
        rows.append([when(e.at), label(EventType, e.type), actor_of(e), text])
    doc.data_table([_("At"), _("Decision"), _("By"), _("Comment")], rows, (18, 18, 14, 50))


def _result(doc: Document, c: Complaint, events: Sequence[ComplaintEvent]) -> None:
    doc.heading(_("Result"))
    done, verified = _last(events, EventType.COMPLETE), _last(events, EventType.VERIFY)
    confirmed = _last(events, EventType.CONFIRM)
    visit = c.return_visits.order_by("-id").first()
    doc.form_grid(
        [
            [
                (_("Treatment completed"), when(done.at) if done else ""),
                (_("Verification"), _verified(verified)),
            ],
            [
                (_("Customer confirmation"), _confirmed(confirmed)),
                (_("Satisfaction (%)"), _number(c.satisfaction_pct)),
            ],
            [(_("Return visit"), _visited(c, visit)), (_("Closed at"), when(c.closed_at))],
        ]
    )
    if done is not None:
        doc.text_block(_("What was done"), done.comment)
    if verified is not None:
        doc.text_block(_("Verification report"), verified.comment)


def _verified(event: ComplaintEvent | None) -> str:
    if event is None:
        return ""
    verdict = _("passed") if (event.data or {}).get("passed") else _("failed")
    return f"{when(event.at)} {verdict}"


def _confirmed(event: ComplaintEvent | None) -> str:
    if event is None:
        return ""
    data = event.data or {}
    verdict = _("satisfied") if data.get("satisfied") else _("not satisfied")
    return f"{when(event.at)} {verdict} ({label(ContactMethod, data.get('method', ''))})"


def _visited(c: Complaint, visit: ReturnVisit | None) -> str:
    if visit is not None:
        return f"{when(visit.visited_at)} {label(ContactMethod, visit.method)}"
    if c.return_visit_skip:
        return _("Skipped: %(reason)s") % {"reason": label(SkipReason, c.return_visit_skip)}
    return ""


def timeline_rows(events: Sequence[ComplaintEvent]) -> list[list[str]]:
    return [
        [when(e.at), label(EventType, e.type), actor_of(e), _state_change(e), event_text(e)]
        for e in events
    ]


def handling_sheet(c: Complaint) -> bytes:
    """《客户投诉处理单》: everything about the handling of one complaint, for the file."""
    events = _events(c)
    doc = Document(_("Customer complaint handling sheet"), reference=c.number)
    doc.heading(_("The complaint"))
    doc.form_grid(_record_rows(c))
    doc.text_block(_("What happened"), c.description)
    doc.text_block(_("What the customer demands"), c.demand)
    _investigation(doc, c, events)
    _plan(doc, _plan_in_force(c))
    _approvals(doc, events)
    _result(doc, c, events)
    doc.heading(_("Timeline"))
    doc.data_table(
        [_("At"), _("Event"), _("By"), _("State"), _("Comment")],
        timeline_rows(events),
        (16, 15, 12, 17, 40),
    )
    doc.signatures(
        [
            _("Handler"),
            _("Head of the responsible department"),
            _("Quality department"),
            _("Approved by"),
        ]
    )
    return doc.bytes()


# ------------------------------------------------------------------------------ confirmation


def _survey_rows(visit: ReturnVisit | None) -> list[list[str]]:
    if visit is None:
        return []
    questions = [str(q) for q in SURVEY_QUESTIONS]
    return [
        [questions[n] if n < len(questions) else str(n + 1), str(ANSWER_LABELS.get(a, a))]
        for n, a in enumerate(visit.answers)
    ]


def confirmation(c: Complaint) -> bytes:
    """《客户问题处理确认书》: what was agreed and done, as the customer is told it, with their
    confirmation, their satisfaction, and the lines the customer and the handler sign."""
    events = _events(c)
    doc = Document(_("Customer problem handling confirmation"), reference=c.number)
    doc.form_grid(
        [
            [(_("Number"), c.number), (_("Registered at"), when(c.registered_at))],
            [
                (_("Customer"), _("Anonymous") if c.anonymous else c.complainant_name),
                (_("Organisation"), c.complainant_org),
            ],
            [(_("Product model"), c.product_model), (_("Project"), c.project_name)],
            [(_("Subject"), c.title)],
        ]
    )
    doc.heading(_("What was agreed and done"))
    facts = summary.facts(c)
    lines = [[fact.text + "".join(f"\n· {item}" for item in fact.items)] for fact in facts]
    doc.data_table([_("Handling")], lines, (100,))
    doc.heading(_("The customer's confirmation"))
    confirmed = _last(events, EventType.CONFIRM)
    visit = c.return_visits.order_by("-id").first()
    doc.form_grid(
        [
            [(_("Confirmation"), _confirmed(confirmed))],
            [
                (_("Satisfaction (%)"), _number(visit.satisfaction_pct if visit else None)),
                (_("Survey"), _survey_scale(visit)),
            ],
        ]
    )
    if confirmed is not None and confirmed.comment:
        doc.text_block(_("The customer's words"), confirmed.comment)
    if visit is not None:
        doc.data_table([_("Question"), _("Rating")], _survey_rows(visit), (70, 30))
    doc.text_block(_("The customer's opinion (written by the customer)"), "\n\n\n")
    doc.note(
        _(
            "By signing, the customer confirms that the problem described above was handled "
            "as stated."
        )
    )
    doc.signatures([_("Customer"), _("Handler")])
    return doc.bytes()


def _survey_scale(visit: ReturnVisit | None) -> str:
    if visit is None:
        return ""
    return _("%(scale)s-option scale, %(points)s of %(max)s points") % {
        "scale": visit.scale,
        "points": _number(visit.points),
        "max": _number(visit.max_points),
    }


# ------------------------------------------------------------------------------ 内联单


class NothingToPrint(LookupError):
    """The complaint's timeline holds nothing the document prints (no visit, no liaison)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The events that answer a liaison: those that meet the escalated cross-department reply
# clock (SPEC §5), and the receiving side's first steps on a complaint handed to it.
_ANSWERS = (
    EventType.NOTE,
    EventType.PROPOSE_PLAN,
    EventType.APPROVE_PLAN,
    EventType.REJECT_PLAN,
    EventType.ASSIGN,
    EventType.CONTACT,
    EventType.VISIT,
    EventType.DETERMINE,
    EventType.PROGRESS,
    EventType.ANSWER,
)


@dataclass(frozen=True)
class Liaison:
    """One 内联单: `event` asks `to_department` to act; `answer` is the first reply."""

    event: ComplaintEvent
    from_department: str
    to_department: str
    due_at: datetime | None
    answer: ComplaintEvent | None


def liaisons(c: Complaint, events: Sequence[ComplaintEvent] | None = None) -> list[Liaison]:
    """What in Kesu's timeline is a 内联单 (internal liaison between departments):

    - an `assign` that hands the complaint to another department (the seeds' 内联单 that
      passes a complaint to the department it is about), from the department that held it;
    - an `escalate` (the seeds' 内联单 sent up when the reply exceeds the department's
      authority), from the complaint's department to its head or the executives; it starts
      the escalated cross-department reply clock, whose due time is the deadline.

    The deadline is that of the clock the event started, if any; the answer is the event
    that met it, else the first later reply by someone other than the requester."""
    events = list(events if events is not None else _events(c))
    names = dict(Department.objects.values_list("pk", "name"))
    handed: set[int] = {
        int(owner)
        for e in events
        if e.type == EventType.ASSIGN and (owner := (e.data or {}).get("from_owner"))
    }
    owners_department = dict(User.objects.filter(pk__in=handed).values_list("pk", "department_id"))
    clocks = {
        clock.started_at: clock
        for clock in deadline_engine.clocks_of(c)
        if clock.kind == ClockKind.ESCALATED_REPLY
    }
    found: list[Liaison] = []
    current: int | None = None
    for index, event in enumerate(events):
        data = event.data or {}
        target: str | None = None
        source: int | None = current
        if event.type == EventType.ASSIGN:
            source = current or owners_department.get(data.get("from_owner") or 0)
            moved = data.get("department")
            if moved and source and moved != source:
                target = names.get(moved, "")
        elif event.type == EventType.ESCALATE:
            source = current or c.department_id
            target = _("Executives") if data.get("to") == "executive" else _("Department head")
            target = f"{names.get(source, '')} {target}".strip() if source else target
        if event.type in (EventType.ACCEPT, EventType.ASSIGN) and data.get("department"):
            current_next = data["department"]
        else:
            current_next = current
        if target is not None:
            clock = clocks.get(event.at) if event.type == EventType.ESCALATE else None
            later = events[index + 1 :]
            answer = None
            if clock is not None and clock.stopped_at is not None:
                answer = next((e for e in later if e.at == clock.stopped_at), None)
            if answer is None:
                answer = next(
                    (e for e in later if e.type in _ANSWERS and e.actor_id != event.actor_id),
                    None,
                )
            found.append(
                Liaison(
                    event=event,
                    from_department=names.get(source, "") if source else "",
                    to_department=target,
                    due_at=clock.due_at if clock is not None else None,
                    answer=answer,
                )
            )
        current = current_next
    return found


def liaison(c: Complaint) -> bytes:
    """《内联单》: one form per liaison of the complaint (`liaisons`), each with the matter,
    the request, the deadline, the answer, and the lines both departments sign."""
    events = _events(c)
    found = liaisons(c, events)
    if not found:
        raise NothingToPrint(_("This complaint was never passed to another department."))
    doc = Document(_("Internal liaison form"), reference=c.number)
    for n, item in enumerate(found, 1):
        if n > 1:
            doc.add_page()
        answer = item.answer
        doc.heading(_("Liaison %(n)s of %(total)s") % {"n": n, "total": len(found)})
        doc.form_grid(
            [
                [(_("Number"), c.number), (_("Sent at"), when(item.event.at))],
                [
                    (_("From department"), item.from_department),
                    (_("To department"), item.to_department),
                ],
                [
                    (_("Sent by"), actor_of(item.event)),
                    (_("Kind"), label(EventType, item.event.type)),
                ],
                [
                    (_("Reply by"), when(item.due_at)),
                    (_("Replied at"), when(answer.at) if answer else ""),
                ],
                [(_("Customer"), _("Anonymous") if c.anonymous else c.complainant_name)],
                [(_("Subject"), c.title)],
            ]
        )
        doc.text_block(_("The matter"), c.description)
        doc.text_block(_("What is asked"), item.event.comment)
        if answer is not None:
            reply = f"{label(EventType, answer.type)} · {actor_of(answer)}\n{event_text(answer)}"
        else:
            reply = "\n\n\n"
        doc.text_block(_("The answer"), reply)
        doc.signatures(
            [
                _("Head of the requesting department"),
                _("Head of the receiving department"),
                _("Approved by"),
            ]
        )
    return doc.bytes()


# ------------------------------------------------------------------------------ 外出服务报告


def _visit_place(c: Complaint) -> str:
    parts = [c.project_name, c.project_location, c.occurred_place or c.complainant_address]
    return " · ".join(p for p in parts if p)


_ON_SITE = (EventType.RESOLVE_ON_SPOT, EventType.PROGRESS, EventType.COMPLETE, EventType.NOTE)


def _done_on_site(visit: ComplaintEvent, at: datetime, later: Sequence[ComplaintEvent]) -> str:
    """What the same person recorded doing on the visit's day, after the visit."""
    local = timezone.localtime(at).date()
    return "\n".join(
        f"{when(e.at)} {label(EventType, e.type)}: {e.comment}"
        for e in later
        if e.type in _ON_SITE
        and e.actor_id == visit.actor_id
        and timezone.localtime(e.at).date() == local
        and e.comment
    )


def _visited_at(event: ComplaintEvent) -> datetime:
    raw = (event.data or {}).get("visited_at")
    try:
        return datetime.fromisoformat(raw) if raw else event.at
    except (TypeError, ValueError):
        return event.at


def site_service_report(c: Complaint) -> bytes:
    """《外出服务报告》: one section per site visit (when, where, who went, the findings, the
    evidence, what was done on site), each with the line the customer signs."""
    events = _events(c)
    visits = [(i, e) for i, e in enumerate(events) if e.type == EventType.VISIT]
    if not visits:
        raise NothingToPrint(_("No site visit is recorded on this complaint."))
    files = {a.pk: a.name for a in c.attachments.all()}
    doc = Document(_("Site service report"), reference=c.number)
    for n, (index, event) in enumerate(visits, 1):
        if n > 1:
            doc.add_page()
        data = event.data or {}
        at = _visited_at(event)
        doc.heading(_("Site visit %(n)s of %(total)s") % {"n": n, "total": len(visits)})
        doc.form_grid(
            [
                [(_("Number"), c.number), (_("Visited at"), when(at))],
                [
                    (_("Customer"), _("Anonymous") if c.anonymous else c.complainant_name),
                    (_("Organisation"), c.complainant_org),
                ],
                [(_("Place"), _visit_place(c))],
                [
                    (_("Who went"), actor_of(event)),
                    (_("Samples taken"), yes_no(data.get("sampled"))),
                ],
                [(_("Product model"), c.product_model), (_("Batch / lot number"), c.batch_no)],
                [(_("Subject"), c.title)],
            ]
        )
        doc.text_block(_("Findings"), event.comment)
        evidence = [files.get(pk, f"#{pk}") for pk in data.get("attachments") or []]
        doc.text_block(_("Evidence"), "\n".join(evidence) or _("None attached to the visit."))
        done = _done_on_site(event, at, events[index + 1 :])
        doc.text_block(_("What was done on site"), done or "\n\n\n")
        doc.text_block(_("The customer's opinion (written by the customer)"), "\n\n")
        doc.signatures([_("Site service staff"), _("Customer")])
    return doc.bytes()
