"""The monthly summaries (rows 85, 116; `kesu.reports.digests`): from the monthly report's
instant, each department's heads get their department's summary and its people's, the
after-sales department's heads the salespeople's; the figures equal a recomputation from the
timelines; a head gets their own department only; each goes out once however often the task
runs; the record of what was sent is append-only; the link opens that month's statistics."""

from collections import defaultdict
from datetime import datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import Department
from kesu.complaints.authority import descendants
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications.choices import TemplateCode
from kesu.notifications.models import Notification
from kesu.reports import digests, tasks
from kesu.reports.choices import SummaryKind
from kesu.reports.models import SummarySent
from kesu.statistics.periods import parse
from tests.statistics_history import SHANGHAI, drive, history

FINAL = {"closed", "withdrawn", "invalid", "merged"}
OCTOBER = parse("2026-10")
# 2 November 2026 is a Monday, the first working day: due from the report hour (16:00)
DUE = datetime(2026, 11, 2, 16, 5, tzinfo=SHANGHAI)
BEFORE = datetime(2026, 11, 2, 15, 55, tzinfo=SHANGHAI)


def recompute(complaints: list[Complaint]) -> dict[int | None, dict[str, int]]:
    """Per owner (None: the whole; 0: no owner yet): registered, closed and open at month
    end, from the events."""
    timelines = defaultdict(list)
    for e in ComplaintEvent.objects.filter(complaint__in=complaints).order_by("at", "id"):
        timelines[e.complaint_id].append(e)
    out: dict = defaultdict(lambda: {"registered": 0, "closed": 0, "open_at_end": 0})

    def inside(at) -> bool:
        return OCTOBER.first <= at.astimezone(SHANGHAI).date() <= OCTOBER.last

    for c in complaints:
        events = timelines[c.pk]
        ends = [e for e in events if e.to_state in FINAL and e.from_state not in FINAL]
        figures = {
            "registered": int(inside(events[0].at)),
            "closed": int(events[-1].to_state == "closed" and inside(ends[-1].at)),
            "open_at_end": 0,
        }
        before = [e for e in events if e.at < OCTOBER.end and e.to_state]
        if before and before[-1].to_state not in FINAL:
            figures["open_at_end"] = 1
        for key in (None, c.owner_id or 0):  # 0: nobody owns it yet
            for name, n in figures.items():
                out[key][name] += n
    return out


def sent_figures(kind: SummaryKind, code: str) -> dict:
    return SummarySent.objects.get(period="2026-10", kind=kind, department__code=code).figures


def check(figures: dict, expected: dict) -> None:
    whole = figures["whole"]
    want = expected.get(None, {"registered": 0, "closed": 0, "open_at_end": 0})
    assert {k: whole[k] for k in want} == want
    for person, line in figures["people"].items():
        want = expected.get(int(person), {"registered": 0, "closed": 0, "open_at_end": 0})
        assert {k: line[k] for k in want} == want, person


@pytest.mark.slow
@pytest.mark.django_db
@hypothesis_settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(scripts=history)
def test_each_head_gets_their_summary_once_with_the_figures_of_the_timeline(people, scripts):
    with transaction.atomic():
        after_sales = create_user(
            "tang_service",
            role=Role.DEPT_HEAD,
            name="唐经理",
            department=Department.objects.get(code="customer_service"),
            email="tang@example.com",
        )
        drive(people, scripts)
        made = list(Complaint.objects.all())  # as they stand: department and owner now
        with time_machine.travel(BEFORE, tick=False):
            digests.send_due()  # September's may go (late rather than never); not October's
            assert not SummarySent.objects.filter(period="2026-10").exists()
        with time_machine.travel(DUE, tick=False):
            tasks.send_monthly_summaries.call_local()
            sent = set(
                SummarySent.objects.filter(period="2026-10").values_list("kind", "department__code")
            )
            # the departments with heads of their own, and the salespeople's to after-sales
            assert sent == {
                (SummaryKind.DEPARTMENT, "customer_service"),
                (SummaryKind.DEPARTMENT, "quality"),
                (SummaryKind.DEPARTMENT, "sales"),
                (SummaryKind.SALES, "customer_service"),
            }
            notes = Notification.objects.filter(  # October's (September's went at 15:55)
                template__in=[TemplateCode.DEPARTMENT_SUMMARY, TemplateCode.SALES_SUMMARY],
                subject__contains="2026-10",
            )
            count = notes.count()
            # once, however often the task runs
            assert tasks.send_monthly_summaries.call_local() == "2026-10"
            assert digests.send_summaries(OCTOBER) == 0
            assert notes.count() == count
            assert SummarySent.objects.filter(period="2026-10").count() == 4
            with pytest.raises(TypeError):
                SummarySent.objects.filter(period="2026-10").update(told=9)

        # scope: a head gets their own department's summary only, with its people
        quality = Department.objects.get(code="quality")
        ours = [c for c in made if c.department_id in descendants(quality.pk)]
        check(sent_figures(SummaryKind.DEPARTMENT, "quality"), recompute(ours))
        sales = Department.objects.get(code="sales")
        theirs = [c for c in made if c.department_id in descendants(sales.pk)]
        check(sent_figures(SummaryKind.DEPARTMENT, "sales"), recompute(theirs))
        assert (
            ours
            and theirs
            and sent_figures(SummaryKind.DEPARTMENT, "quality")["whole"]["registered"]
        )
        to_quality = notes.filter(recipient=people.head_quality)
        assert set(to_quality.values_list("template", flat=True)) == {"department_summary"}
        body = to_quality.first().body
        assert people.handler_quality.name in body and quality.name in body
        assert people.handler_east.name not in body and people.handler_north.name not in body
        assert "/statistics/?period=2026-10" in body

        # the salespeople's: the complaints owned by members of the sales departments, per
        # salesperson, to the after-sales department's heads only
        sellers = {people.handler_east.pk, people.handler_north.pk, people.head_sales.pk}
        sold = [c for c in made if c.owner_id in sellers]
        figures = sent_figures(SummaryKind.SALES, "customer_service")
        check(figures, recompute(sold))
        assert {int(p) for p in figures["people"]} == sellers
        assert set(
            notes.filter(template=TemplateCode.SALES_SUMMARY).values_list("recipient", flat=True)
        ) == {after_sales.pk}
        sales_body = notes.get(template=TemplateCode.SALES_SUMMARY, channel="in_app").body
        assert people.handler_east.name in sales_body
        assert people.handler_quality.name not in sales_body
        # in the app at once, and by e-mail for whoever has an address
        assert notes.filter(recipient=after_sales, channel="email").count() == 2
        assert notes.filter(recipient=after_sales, channel="in_app").count() == 2
        transaction.set_rollback(True)
