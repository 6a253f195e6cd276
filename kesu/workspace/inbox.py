"""The inbox's views of the work (mine, my department, unassigned, overdue, due today, and
the decisions waiting for the person: approval, verification, QA's determination): which
complaints each shows, for whom, and how close a deadline is."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.accounts.choices import Role
from kesu.accounts.models import Department, User
from kesu.complaints.authority import decision_filter, department_scope
from kesu.complaints.choices import Action, Channel, Determination, Kind, Severity, State
from kesu.complaints.models import Complaint
from kesu.complaints.queries import (
    categories_by_code,
    keyset_page,
    narrowed,
    search_text,
    visible_complaints,
)
from kesu.core import clock, keyset
from kesu.core.encoding import in_range
from kesu.statistics.periods import Period, within_reach
from kesu.statistics.periods import parse as parse_period

COUNT_CAP = 1000  # counts above this show as "999+": counting never walks a whole table


class Tab(StrEnum):
    MINE = "mine"
    DEPARTMENT = "department"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    APPROVAL = "approval"
    TO_VERIFY = "verify"
    TO_DETERMINE = "qa_determine"
    ALL = "all"


TAB_LABELS = {
    Tab.MINE: _("Mine"),
    Tab.DEPARTMENT: _("My department"),
    Tab.UNASSIGNED: _("Unassigned"),
    Tab.OVERDUE: _("Overdue"),
    Tab.DUE_TODAY: _("Due today"),
    Tab.APPROVAL: _("Waiting for approval"),
    Tab.TO_VERIFY: _("To verify"),
    Tab.TO_DETERMINE: _("To determine (QA)"),
    Tab.ALL: _("All"),
}


OWNING_ROLES = (Role.HANDLER, Role.DEPT_HEAD)  # who may own a complaint (see actions)

# The work tabs: each lists the complaints on which the person may take one decision, as the
# guard (`authority.refusal`) decides it; a person who never may does not get the tab.
DECISION_TABS = {
    Tab.APPROVAL: Action.APPROVE_PLAN,
    Tab.TO_VERIFY: Action.VERIFY,
    Tab.TO_DETERMINE: Action.QA_DETERMINE,
}


def tabs_for(user: User) -> list[Tab]:
    """The user's tabs, the first one opening by default: "mine" for those who own
    complaints (handlers and heads), "all" for the others, who have no "mine"; then the
    decisions the person may take, before the lists every staff member has."""
    decisions = [t for t, a in DECISION_TABS.items() if decision_filter(a, user) is not None]
    tabs = [Tab.DEPARTMENT, Tab.UNASSIGNED, Tab.OVERDUE, Tab.DUE_TODAY]
    if user.role in OWNING_ROLES:
        return [Tab.MINE, *decisions, *tabs, Tab.ALL]
    return [Tab.ALL, *decisions, *tabs]


def end_of_today(now: datetime) -> datetime:
    return clock.local_midnight(timezone.localtime(now).date() + timedelta(days=1))


def complaints_in(user: User, tab: Tab, now: datetime | None = None) -> QuerySet[Complaint]:
    """The complaints one tab shows the user: open ones only, except under "all"."""
    now = now or clock.now()
    qs = visible_complaints(user)
    if tab == Tab.ALL:
        return qs
    qs = qs.filter(closed_at__isnull=True)  # as the open partial index is written
    if tab == Tab.MINE:
        return qs.filter(owner=user)
    if tab == Tab.DEPARTMENT:
        return qs.filter(department__in=department_scope(user)) if user.department_id else qs.none()
    if tab == Tab.UNASSIGNED:
        return qs.filter(owner__isnull=True)
    if tab == Tab.OVERDUE:
        return qs.filter(due_at__lte=now)
    if tab == Tab.DUE_TODAY:
        return qs.filter(due_at__gt=now, due_at__lt=end_of_today(now))
    if tab in DECISION_TABS:
        where = decision_filter(DECISION_TABS[tab], user)
        return qs.filter(where) if where is not None else qs.none()
    raise ValueError(tab)


def capped_count(qs: QuerySet) -> str:
    n = qs.order_by()[:COUNT_CAP].count()
    return f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)


class Urgency(StrEnum):
    """How close the nearest deadline is: the colour of the list's deadline column."""

    OVERDUE = "overdue"
    SOON = "soon"  # within 4 hours
    TODAY = "today"
    LATER = "later"
    NONE = "none"


@dataclass(frozen=True)
class Deadline:
    due_at: datetime | None
    urgency: Urgency


def deadline_of(complaint: Complaint, now: datetime) -> Deadline:
    due = complaint.due_at
    if due is None or complaint.closed_at is not None:
        return Deadline(None, Urgency.NONE)
    if due <= now:
        return Deadline(due, Urgency.OVERDUE)
    if due - now <= timedelta(hours=4):
        return Deadline(due, Urgency.SOON)
    if due < end_of_today(now):
        return Deadline(due, Urgency.TODAY)
    return Deadline(due, Urgency.LATER)


OPEN = "open"  # the state filter's "any open state"


class Sort(StrEnum):
    NEWEST = "new"  # newest registration first
    DUE = "due"  # nearest deadline first (complaints with a running time limit only)

    @property
    def order(self) -> tuple[str, str]:
        """The rows' order as page_of's keyset lists them: for what lists all at once."""
        return ("due_at", "pk") if self is Sort.DUE else ("-registered_at", "-pk")


@dataclass(frozen=True)
class Filters:
    """The inbox's filters, read leniently from the query string: a value that does not parse
    is dropped, never an error page."""

    state: str = ""
    category: str = ""
    severity: int | None = None
    registered_from: date | None = None
    sort: Sort = Sort.NEWEST
    # The statistics' drill-down (kesu.workspace.statistics): the complaints behind one figure.
    period: Period | None = None  # registered within it (its local days, half-open bounds)
    category_exact: str = ""  # that category itself, not those below it (a subcategory row)
    kind: str = ""
    channel: str = ""
    department: int | None = None  # a department's id; NO_DEPARTMENT: none given yet
    cause: str = ""  # a `Determination` (QA's, else the owner's), or NO_CAUSE: not determined

    @classmethod
    def from_query(cls, query) -> "Filters":
        state = query.get("state", "")
        severity = query.get("severity", "")
        try:
            since = date.fromisoformat(query.get("from", ""))
        except ValueError:
            since = None
        if since is not None and not in_range(since):  # 0001-01-01 has no local midnight
            since = None
        try:
            sort = Sort(query.get("sort", Sort.NEWEST))
        except ValueError:
            sort = Sort.NEWEST
        kind, channel = query.get("kind", ""), query.get("channel", "")
        codes = categories_by_code() if "category_exact" in query else {}
        return cls(
            state=state if state in State.values or state == OPEN else "",
            category=query.get("category", ""),
            severity=int(severity) if severity in {str(s.value) for s in Severity} else None,
            registered_from=since,
            sort=sort,
            period=_period_or_none(query.get("period", "")),
            category_exact=exact if (exact := query.get("category_exact", "")) in codes else "",
            kind=kind if kind in Kind.values else "",
            channel=channel if channel in Channel.values else "",
            department=_department_or_none(query.get("department", "")),
            cause=cause if (cause := query.get("cause", "")) in CAUSES else "",
        )

    @property
    def drilled(self) -> bool:
        """Narrowed by a filter the search form does not show (a statistics figure's)."""
        return bool(
            self.period
            or self.category_exact
            or self.kind
            or self.channel
            or self.department
            or self.cause
        )

    def apply(self, qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
        if self.state == OPEN:
            qs = qs.filter(closed_at__isnull=True)
        start = None
        if self.registered_from:
            start = clock.local_midnight(self.registered_from)
        qs = narrowed(
            qs,
            states=[self.state] if self.state and self.state != OPEN else [],
            category=categories_by_code().get(self.category),
            severity=self.severity,
            registered_from=start,
        )
        if self.period is not None:  # the bounds `statistics.counts` counts within
            qs = qs.filter(registered_at__gte=self.period.start, registered_at__lt=self.period.end)
        if self.category_exact:
            qs = qs.filter(category=categories_by_code()[self.category_exact])
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.department == NO_DEPARTMENT:
            qs = qs.filter(department__isnull=True)
        elif self.department is not None:
            qs = qs.filter(department_id=self.department)
        if self.cause:  # as `statistics.counts` reads the cause: QA's, else the owner's
            cause = Coalesce(
                NullIf(F("qa_determination"), Value("")), NullIf(F("determination"), Value(""))
            )
            qs = qs.alias(cause_of=cause)
            if self.cause == NO_CAUSE:
                qs = qs.filter(cause_of__isnull=True)
            else:
                qs = qs.filter(cause_of=self.cause)
        if self.sort == Sort.DUE:
            qs = qs.filter(due_at__isnull=False, closed_at__isnull=True)
        return qs

    def query(self) -> str:
        """The filters as a query string, for links that keep them (paging, tabs)."""
        params = {
            "state": self.state,
            "category": self.category,
            "severity": self.severity or "",
            "from": self.registered_from.isoformat() if self.registered_from else "",
            "sort": "" if self.sort == Sort.NEWEST else self.sort.value,
            "period": str(self.period) if self.period else "",
            "category_exact": self.category_exact,
            "kind": self.kind,
            "channel": self.channel,
            "department": "" if self.department is None else self.department,
            "cause": self.cause,
        }
        return urlencode({k: v for k, v in params.items() if v})


NO_DEPARTMENT = 0  # the department filter's "none given yet" (no department has id 0)
NO_CAUSE = "none"  # the cause filter's "not determined"
CAUSES = frozenset({*Determination.values, NO_CAUSE})


def period_in_range(period: Period) -> bool:
    """Whether every table of the period can be counted (`periods.within_reach`)."""
    return within_reach(period)


def _period_or_none(text: str) -> Period | None:
    try:
        period = parse_period(text) if text else None
    except ValueError:
        return None
    return period if period is not None and period_in_range(period) else None


def _department_or_none(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def drilled_terms(filters: Filters) -> list[str]:
    """The statistics' filters in force, as people read them (the inbox names them above the
    list, since its search form has no field for them)."""
    terms = []
    if filters.period is not None:
        terms.append(_("registered in %(period)s") % {"period": filters.period})
    if filters.category_exact:
        found = categories_by_code().get(filters.category_exact)
        name = found.name if found else filters.category_exact
        terms.append(_("category %(name)s itself, not those below it") % {"name": name})
    if filters.kind:
        terms.append(str(Kind(filters.kind).label))
    if filters.channel:
        terms.append(str(Channel(filters.channel).label))
    if filters.department == NO_DEPARTMENT:
        terms.append(str(_("no department yet")))
    elif filters.department is not None:
        department = Department.objects.filter(pk=filters.department).first()
        terms.append(
            _("department %(name)s")
            % {"name": department.name if department else filters.department}
        )
    if filters.cause == NO_CAUSE:
        terms.append(str(_("cause not determined")))
    elif filters.cause:
        terms.append(_("cause %(name)s") % {"name": Determination(filters.cause).label})
    return terms


def page_of(qs: QuerySet[Complaint], sort: Sort, cursor: str | None, limit: int):
    """One page; a cursor that is not one of ours (edited by hand, from another sort)
    starts again at the first page, as a bad filter value is dropped."""
    try:
        if sort == Sort.DUE:
            return keyset.page(qs, "due_at", cursor, limit, ascending=True)
        return keyset_page(qs, cursor, limit)
    except keyset.InvalidCursor:
        return page_of(qs, sort, None, limit) if cursor else ([], None)


@dataclass(frozen=True)
class Listing:
    """What the inbox lists for a query: the person's tabs, the one open, the words and
    filters, and the complaints."""

    tabs: list[Tab]
    tab: Tab
    q: str
    filters: Filters
    complaints: QuerySet[Complaint]


def listing(user: User, query, now: datetime) -> Listing:
    """The inbox's query string read as the inbox reads it (the page, its export): a tab the
    person does not have is their first one, what does not parse is dropped."""
    tabs = tabs_for(user)
    try:
        tab = Tab(query.get("tab", tabs[0]))
    except ValueError:
        tab = tabs[0]
    if tab not in tabs:
        tab = tabs[0]
    q = query.get("q", "").strip()[:100]
    filters = Filters.from_query(query)
    qs = filters.apply(complaints_in(user, tab, now))
    return Listing(tabs, tab, q, filters, search_text(qs, q) if q else qs)
