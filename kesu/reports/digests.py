"""The monthly summaries to department heads (SPEC §10; requirements rows 85 and 116).

On the first working day of a month, from the monthly report's hour (`actions.due_month`),
the month before is summed up and sent through the notification outbox, once:

* to the heads of each department (its own active heads), the summary of that department
  (with the departments below it: what the head sees) and of each person who handles its
  complaints or works in it;
* to the heads of the after-sales department (setting `KESU_AFTER_SALES_DEPARTMENT`, by
  default the department coded "customer_service"), the summary per salesperson: the
  complaints owned by the members of the sales departments (`KESU_SALES_DEPARTMENTS`,
  default "sales", with the departments below them), one line a salesperson.

A line's figures are the statistics' (`kesu.statistics.indicators`, the same facts and the
same placing instants as the indicators table): registered in the month; closed in it; time
limits met (runs of every clock met on time ÷ runs settled, of the complaints registered in
the month); resolution (closed with the customer satisfied ÷ closed); satisfaction (points ÷
maximum points of the surveys of those closed); open at month end (registered before the
month ended and not in a final state at that instant, read from the timeline: the state the
last event before the end left it in). A person is the complaint's owner as it stands.

This module is the only writer of `SummarySent`: one row per month, kind and department,
written in the transaction that queues the messages; its unique key makes a second run, or a
second worker racing, send nothing again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.authority import descendants
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core import clock
from kesu.core.language import company_language
from kesu.notifications.choices import TemplateCode
from kesu.notifications.rules import active_heads, tell_people
from kesu.policies.choices import ClockKind
from kesu.reports.actions import due_month
from kesu.reports.choices import SummaryKind
from kesu.reports.models import SummarySent
from kesu.statistics.counts import Dimension
from kesu.statistics.indicators import Indicators, Ratio, indicators
from kesu.statistics.periods import Period

log = logging.getLogger(__name__)

FINAL_STATES = ("closed", "withdrawn", "invalid", "merged")
STAFF_ROLES = (Role.HANDLER, Role.DEPT_HEAD, Role.INTAKE, Role.QA)


@dataclass(frozen=True)
class Line:
    """One line of a summary: a department, or a person (`person` their user id)."""

    label: str
    registered: int
    closed: int
    on_time: Ratio
    resolution: Ratio
    satisfaction: Ratio
    open_at_end: int
    person: int | None = None

    def figures(self) -> dict[str, object]:
        return {
            "registered": self.registered,
            "closed": self.closed,
            "on_time": [self.on_time.numerator, self.on_time.denominator],
            "resolution": [self.resolution.numerator, self.resolution.denominator],
            "satisfaction": [self.satisfaction.numerator, self.satisfaction.denominator],
            "open_at_end": self.open_at_end,
        }

    def text(self) -> str:
        return _(
            "%(label)s: registered %(registered)s, closed %(closed)s, time limits met "
            "%(on_time)s, resolution %(resolution)s, satisfaction %(satisfaction)s, open at "
            "month end %(open)s"
        ) % {
            "label": self.label,
            "registered": self.registered,
            "closed": self.closed,
            "on_time": _ratio(self.on_time),
            "resolution": _ratio(self.resolution),
            "satisfaction": _pct(self.satisfaction),
            "open": self.open_at_end,
        }


@dataclass(frozen=True)
class Summary:
    kind: SummaryKind
    period: Period
    department: Department  # whose heads get it
    whole: Line
    people: list[Line]

    def figures(self) -> dict[str, object]:
        return {
            "whole": self.whole.figures(),
            "people": {str(line.person or 0): line.figures() for line in self.people},
        }


def _ratio(r: Ratio) -> str:
    return f"{r.numerator}/{r.denominator}" + ("" if r.pct is None else f" ({r.pct} %)")


def _pct(r: Ratio) -> str:
    return "—" if r.pct is None else f"{r.pct} %"


def on_time(found: Indicators | None) -> Ratio:
    """Runs of every clock met on time ÷ runs settled."""
    if found is None:
        return Ratio(0, 0)
    met = settled = 0
    for kind in ClockKind:
        ratio = found.on_time(kind.value)
        met, settled = met + ratio.numerator, settled + ratio.denominator
    return Ratio(met, settled)


def open_at(end: datetime, scope: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The complaints of `scope` registered before `end` and not in a final state at `end`:
    the state the last event before `end` left them in."""
    state = (
        ComplaintEvent.objects.filter(complaint=OuterRef("pk"), at__lt=end)
        .exclude(to_state="")
        .order_by("-at", "-pk")
        .values("to_state")[:1]
    )
    return (
        scope.filter(registered_at__lt=end)
        .annotate(state_at_end=Subquery(state))
        .exclude(state_at_end__in=FINAL_STATES)
    )


def summarise(
    kind: SummaryKind,
    period: Period,
    department: Department,
    scope: QuerySet[Complaint],
    label: str,
    members: Iterable[User] = (),
) -> Summary:
    """The summary of `scope` for `period`: the whole and one line per owner (and per member
    of `members` who owns none, with nothing)."""
    whole = indicators(period, scope=scope).get(())
    by_person = indicators(period, by=[Dimension.HANDLER], scope=scope)
    open_counts: dict[int | None, int] = {}
    for owner in open_at(period.end, scope).values_list("owner_id", flat=True):
        open_counts[owner] = open_counts.get(owner, 0) + 1
    people_ids: set[int | None] = {_person(key[0]) for key in by_person}
    people_ids |= set(open_counts) | {u.pk for u in members}
    known = [pk for pk in people_ids if pk is not None]
    named = {u.pk: u.name or u.username for u in User.objects.filter(pk__in=known)}

    def line(text: str, found: Indicators | None, open_count: int, person: int | None) -> Line:
        return Line(
            label=text,
            registered=found["registered"].numerator if found else 0,
            closed=found["closed"].numerator if found else 0,
            on_time=on_time(found),
            resolution=found.resolution if found else Ratio(0, 0),
            satisfaction=found.satisfaction if found else Ratio(0, 0),
            open_at_end=open_count,
            person=person,
        )

    people = [
        line(
            named.get(pk, str(pk)) if pk is not None else _("Nobody yet"),
            by_person.get((pk,)),
            open_counts.get(pk, 0),
            pk,
        )
        for pk in sorted(people_ids, key=lambda pk: (pk is None, named.get(pk or 0, ""), pk or 0))
    ]
    return Summary(
        kind,
        period,
        department,
        line(label, whole, sum(open_counts.values()), None),
        people,
    )


def _person(key: object) -> int | None:
    """A handler key of the indicators: a user id, or None (nobody owns it yet)."""
    return int(str(key)) if key is not None else None


def department_scope(department: Department) -> QuerySet[Complaint]:
    """A department's complaints, with those of the departments below it."""
    return Complaint.objects.filter(department_id__in=descendants(department.pk))


def sales_departments() -> frozenset[int]:
    roots = Department.objects.filter(code__in=settings.KESU_SALES_DEPARTMENTS)
    found: set[int] = set()
    for pk in roots.values_list("pk", flat=True):
        found |= descendants(pk)
    return frozenset(found)


def salespeople() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, department_id__in=sales_departments(), role__in=STAFF_ROLES
    )


def sales_scope() -> QuerySet[Complaint]:
    """The complaints owned by the members of the sales departments."""
    return Complaint.objects.filter(owner__department_id__in=sales_departments())


def after_sales_department() -> Department | None:
    return Department.objects.filter(code=settings.KESU_AFTER_SALES_DEPARTMENT, active=True).first()


def statistics_url(period: Period, **params: str) -> str:
    query = urlencode({"period": str(period), **params})
    return f"{settings.KESU_BASE_URL}{reverse('statistics')}?{query}"


def summaries(period: Period, skip: frozenset[tuple[str, int]] = frozenset()) -> list[Summary]:
    """Every summary of `period` there is someone to send to, but those of `skip` (kind,
    department id: sent already)."""
    found = []
    for department in Department.objects.filter(active=True).order_by("code"):
        if not active_heads(department.pk) or (SummaryKind.DEPARTMENT, department.pk) in skip:
            continue
        members = User.objects.filter(
            is_active=True, department_id__in=descendants(department.pk), role__in=STAFF_ROLES
        )
        found.append(
            summarise(
                SummaryKind.DEPARTMENT,
                period,
                department,
                department_scope(department),
                department.name,
                members,
            )
        )
    after_sales = after_sales_department()
    if (
        after_sales is not None
        and active_heads(after_sales.pk)
        and sales_departments()
        and (SummaryKind.SALES, after_sales.pk) not in skip
    ):
        found.append(
            summarise(
                SummaryKind.SALES,
                period,
                after_sales,
                sales_scope(),
                _("Sales departments"),
                salespeople(),
            )
        )
    return found


def send(summary: Summary) -> bool:
    """Send one summary to its department's heads, once: False when it had been sent."""
    template = (
        TemplateCode.DEPARTMENT_SUMMARY
        if summary.kind == SummaryKind.DEPARTMENT
        else TemplateCode.SALES_SUMMARY
    )
    params = {"by": "department"} if summary.kind == SummaryKind.SALES else {}
    context: dict[str, object] = {
        "period": str(summary.period),
        "department": summary.whole.label,
        "whole": summary.whole.text(),
        "people": "\n".join(line.text() for line in summary.people) or "—",
        "url": statistics_url(summary.period, **params),
    }
    heads = active_heads(summary.department.pk)
    try:
        with transaction.atomic():
            record = SummarySent.objects.create(
                period=str(summary.period),
                kind=summary.kind,
                department=summary.department,
                at=clock.now(),
                told=len(heads),
                figures=summary.figures(),
            )
            tell_people(heads, template, context)
            log.info("summary %s sent to %s heads", record, len(heads))
    except IntegrityError:  # sent already, by an earlier run or another worker
        return False
    return True


def send_summaries(period: Period) -> int:
    """The month's summaries, each sent once; how many this call sent."""
    sent = frozenset(
        SummarySent.objects.filter(period=str(period)).values_list("kind", "department_id")
    )
    with translation.override(company_language()):
        return sum(send(summary) for summary in summaries(period, sent))


def send_due() -> tuple[Period, int]:
    """The summaries of the month that is due (`actions.due_month`)."""
    period = due_month()
    return period, send_summaries(period)
