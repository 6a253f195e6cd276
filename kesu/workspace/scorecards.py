"""考核 in the workspace (issue #16): the scorecards of a period (/statistics/scorecards/), the
incidents behind one deduction, and the figure drill-down (/statistics/figure/) that lists the
complaints behind any indicator figure, which the incidents and the indicators table link to.

Who reads what is `kesu.reports.access.scorecard_scope`: a head their department and its
people, QA, executives and administrators everyone, a handler their own card only (and the
figures of their own card). The figures are `kesu.appraisal` and `kesu.statistics`; this
module reads the query string and lays out the pages.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.choices import Role
from kesu.accounts.http import AuthenticatedHttpRequest
from kesu.accounts.models import Department, User
from kesu.appraisal.choices import Level, Measure
from kesu.appraisal.scorecards import Scorecard, failing, incident_list, scorecards
from kesu.appraisal.tables import shown
from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Complaint
from kesu.complaints.queries import visible_complaints
from kesu.core import clock
from kesu.reports.access import ScorecardScope, scorecard_refusal, scorecard_scope
from kesu.statistics.counts import Dimension
from kesu.statistics.indicators import SPECS, Part, complaints, label
from kesu.statistics.periods import Period
from kesu.workspace.figure_links import REST, figure_link
from kesu.workspace.statistics import BadInput, may_see_statistics, read_period

PAGE_SIZE = 50
BY_LEVEL = {Level.DEPARTMENT: Dimension.DEPARTMENT, Level.PERSON: Dimension.HANDLER}


def may_see_scorecards(user: User) -> bool:
    """Whether the navigation offers 考核: whoever reads at least their own scorecard."""
    return scorecard_refusal(user) is None


def _this_month() -> Period:
    today = timezone.localtime(clock.now()).date()
    return Period.month(today.year, today.month)


def _refused(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "workspace/statistics/403.html", status=403)


# ------------------------------------------------------------------------------ the scorecards


@dataclass(frozen=True)
class CardLine:
    label: str
    figure: str
    target_pct: Decimal
    ceiling: bool
    weight: int
    points: Decimal | None
    deduction: Decimal
    incidents: str  # "" when nothing is deducted


def _incidents_link(period: Period, card: Scorecard, measure: str) -> str:
    url = reverse("scorecard_incidents", args=[card.level.value, card.subject_id])
    return f"{url}?{urlencode({'period': str(period), 'measure': measure})}"


def _lines(period: Period, card: Scorecard) -> list[CardLine]:
    return [
        CardLine(
            label=str(Measure(line.measure).label),
            figure=shown(line),
            target_pct=line.target_pct,
            ceiling=line.lower_is_better,
            weight=line.weight,
            points=line.points,
            deduction=line.deduction,
            incidents=_incidents_link(period, card, line.measure) if line.deduction else "",
        )
        for line in card.lines
    ]


def _level(text: str, reach: ScorecardScope) -> Level:
    if reach.departments == frozenset():  # a handler: their own card, a person's
        return Level.PERSON
    try:
        return Level(text or Level.PERSON)
    except ValueError:
        raise BadInput(_("“%(text)s” is not a level of the scorecards.") % {"text": text}) from None


@login_required
def scorecards_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        reach = scorecard_scope(request.user)
    except ComplaintError:
        return _refused(request)
    own = request.user.role == Role.HANDLER
    context: dict[str, Any] = {
        "levels": Level.choices,
        "own": own,
        "period_text": request.GET.get("period", ""),
        "level": request.GET.get("level", Level.PERSON),
    }
    try:
        level = _level(request.GET.get("level", ""), reach)
        period = read_period(request.GET, _this_month())
    except ValueError as bad:
        context["error"] = str(bad)
        return render(request, "workspace/statistics/scorecards.html", context, status=400)
    cards = scorecards(period, level, scope=reach.complaints, only=reach.only(level))
    context.update(
        period=period,
        period_text=str(period),
        level=level.value,
        level_label=level.label,
        cards=[(card, _lines(period, card)) for card in cards],
        statistics=may_see_statistics(request.user),
    )
    return render(request, "workspace/statistics/scorecards.html", context)


def _subject_name(level: Level, subject_id: int) -> str:
    if level == Level.DEPARTMENT:
        found = Department.objects.filter(pk=subject_id).first()
        return found.name if found else str(subject_id)
    person = User.objects.filter(pk=subject_id).first()
    return (person.get_full_name() or person.username) if person else str(subject_id)


@login_required
def incidents_page(request: AuthenticatedHttpRequest, level: str, subject_id: int) -> HttpResponse:
    try:
        reach = scorecard_scope(request.user)
    except ComplaintError:
        return _refused(request)
    try:
        chosen = Level(level)
        measure = Measure(request.GET.get("measure", ""))
    except ValueError:
        raise Http404 from None
    if not reach.sees(chosen, subject_id):
        raise Http404
    try:
        period = read_period(request.GET, _this_month())
    except ValueError as bad:
        failed = {"error": str(bad), "measure_label": measure.label}
        return render(request, "workspace/statistics/incidents.html", failed, status=400)
    found = incident_list(period, chosen, subject_id, measure, scope=reach.complaints)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    by = BY_LEVEL[chosen]
    figures = [
        (
            label(name),
            figure_link(period, [name], REST if minus else part.value, by, subject_id),
        )
        for name, part, minus in failing(measure)
    ]
    back = f"{reverse('scorecards')}?{urlencode({'period': str(period), 'level': chosen.value})}"
    context: dict[str, Any] = {
        "period": period,
        "level": chosen,
        "subject": _subject_name(chosen, subject_id),
        "measure_label": measure.label,
        "page": page,
        "count": len(found),
        "figures": figures,
        "back": back,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "workspace/statistics/incidents.html", context)


# ------------------------------------------------------------------------------ a figure's list


@dataclass(frozen=True)
class Drill:
    figures: list[str]
    period: Period
    by: Dimension | None
    key: int | None
    part: str


def _read_drill(query: Any) -> Drill:
    names = [n.strip() for n in query.get("figure", "").split(",") if n.strip()]
    if not names or any(n not in SPECS for n in names):
        raise BadInput(_("Say which figure: one the statistics count."))
    part = query.get("part", Part.NUMERATOR.value)
    if part not in (Part.NUMERATOR.value, Part.DENOMINATOR.value, REST):
        raise BadInput(_("“%(text)s” is not a side of a figure.") % {"text": part})
    by_text = query.get("by", "")
    by = None
    key: int | None = None
    if by_text:
        if by_text not in (Dimension.DEPARTMENT.value, Dimension.HANDLER.value):
            raise BadInput(
                _("“%(text)s” is not a breakdown of the indicators.") % {"text": by_text}
            )
        by = Dimension(by_text)
        key_text = query.get("key", "")
        if key_text != "none":
            try:
                key = int(key_text)
            except ValueError:
                raise BadInput(_("“%(text)s” is not a key.") % {"text": key_text}) from None
    return Drill(names, read_period(query, _this_month()), by, key, part)


def drilled(drill: Drill, scope: QuerySet[Complaint] | None) -> QuerySet[Complaint]:
    """The complaints behind one side of the figures (together), as they count them."""
    by = () if drill.by is None else (drill.by,)
    key = () if drill.by is None else (drill.key,)
    found = Complaint.objects.none()
    for name in drill.figures:

        def side(part: Part, name: str = name) -> QuerySet[Complaint]:
            return complaints(name, drill.period, key=key, by=by, part=part, scope=scope)

        if drill.part == REST:
            found |= side(Part.DENOMINATOR).exclude(pk__in=side(Part.NUMERATOR).values("pk"))
        else:
            found |= side(Part(drill.part))
    return found


def _drill_scope(user: User, drill: Drill) -> QuerySet[Complaint] | None:
    """The complaints the reader's figures count, or PermissionError: a handler reads only
    the figures of their own scorecard."""
    if may_see_statistics(user):
        scope = visible_complaints(user)
        return None if not scope.query.where else scope
    own = drill.by == Dimension.HANDLER and drill.key == user.pk
    if user.is_active and user.role == Role.HANDLER and own:
        return visible_complaints(user)
    raise PermissionError


@login_required
def figure_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        drill = _read_drill(request.GET)
    except ValueError as bad:
        return render(request, "workspace/statistics/figure.html", {"error": str(bad)}, status=400)
    try:
        scope = _drill_scope(request.user, drill)
    except PermissionError:
        return _refused(request)
    found = drilled(drill, scope).select_related("owner").order_by("number")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    subject = ""
    if drill.by is not None:
        level = Level.DEPARTMENT if drill.by == Dimension.DEPARTMENT else Level.PERSON
        subject = _("Nobody yet") if drill.key is None else _subject_name(level, drill.key)
    parts = {
        Part.NUMERATOR.value: _("counted for the figure"),
        Part.DENOMINATOR.value: _("all those it counts over"),
        REST: _("counted over, but not for it"),
    }
    others = {
        value: f"?{urlencode({**request.GET.dict(), 'part': value, 'page': 1})}"
        for value in parts
        if value != drill.part
    }
    context = {
        "labels": [label(name) for name in drill.figures],
        "period": drill.period,
        "subject": subject,
        "part_label": parts[drill.part],
        "others": [(parts[value], href) for value, href in others.items()],
        "page": page,
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "workspace/statistics/figure.html", context)
