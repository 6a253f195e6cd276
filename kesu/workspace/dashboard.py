"""The home dashboard's figures, for what the user may see.

Every figure is one aggregate query over an indexed range: open complaints (the partial
index on `closed_at IS NULL`) or this month's registrations (`registered_at`), so the page
costs the same at 10k or 1M complaints.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from kesu.accounts.choices import SEES_EVERYTHING
from kesu.accounts.models import User
from kesu.complaints.authority import department_scope
from kesu.complaints.choices import OPEN_STATE_LIST, EventType, Severity, State
from kesu.complaints.models import Category, ComplaintEvent
from kesu.complaints.queries import categories_by_id, visible_complaints
from kesu.core import clock
from kesu.workspace.inbox import end_of_today


@dataclass(frozen=True)
class MonthRow:
    category: Category
    by_severity: list[int]  # in Severity order
    total: int


@dataclass(frozen=True)
class OnTime:
    scope: str  # "department" or "company"
    registered: int
    breached: int

    @property
    def pct(self) -> float | None:
        if not self.registered:
            return None
        return round(100 * (self.registered - self.breached) / self.registered, 1)


@dataclass(frozen=True)
class Dashboard:
    by_state: list[tuple[State, int]]
    open_total: int
    overdue: int
    due_today: int
    month_start: datetime
    month: list[MonthRow]
    month_total: int
    on_time: OnTime


def month_start(now: datetime) -> datetime:
    return clock.local_midnight(timezone.localtime(now).date().replace(day=1))


def dashboard_for(user: User, now: datetime) -> Dashboard:
    visible = visible_complaints(user)
    open_qs = visible.filter(closed_at__isnull=True)
    counts = open_qs.aggregate(
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        due_today=Count("pk", filter=Q(due_at__gt=now, due_at__lt=end_of_today(now))),
    )
    states = dict(open_qs.order_by().values_list("state").annotate(n=Count("pk")))
    by_state = [(State(s), states.get(s, 0)) for s in OPEN_STATE_LIST]

    start = month_start(now)
    this_month = visible.filter(registered_at__gte=start)
    cells: dict[int, list[int]] = {}
    levels = list(Severity)
    for category_id, severity, n in (
        this_month.order_by().values_list("category_id", "severity").annotate(n=Count("pk"))
    ):
        cells.setdefault(category_id, [0] * len(levels))[levels.index(severity)] += n
    categories = categories_by_id()
    month = sorted(
        (MonthRow(categories[pk], row, sum(row)) for pk, row in cells.items()),
        key=lambda r: (-r.total, r.category.sort_order),
    )

    mine = this_month
    scope = "company"
    if user.department_id and user.role not in SEES_EVERYTHING:
        mine, scope = this_month.filter(department__in=department_scope(user)), "department"
    breach = ComplaintEvent.objects.filter(
        complaint=OuterRef("pk"), type=EventType.DEADLINE_BREACHED
    )
    on_time = mine.order_by().aggregate(
        registered=Count("pk"), breached=Count("pk", filter=Exists(breach))
    )
    return Dashboard(
        by_state=by_state,
        open_total=sum(states.values()),
        overdue=counts["overdue"],
        due_today=counts["due_today"],
        month_start=start,
        month=month,
        month_total=sum(r.total for r in month),
        on_time=OnTime(scope, on_time["registered"], on_time["breached"]),
    )
