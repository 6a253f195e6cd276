"""The monthly roll-ups (`kesu.statistics.rollups`) change how a period is read, never what it
says: over a random history driven through the real verbs, the classified table and the
indicators read with the months rolled up are the figures read without them, to the unit (the
90th percentile too); a later event on a rolled-up month's complaint is counted before and
after the catch-up; a frozen month reads its snapshot's roll-ups; and the roll-ups are read."""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from kesu.complaints import actions
from kesu.complaints.choices import FINAL_STATES, Severity, State
from kesu.complaints.models import Complaint
from kesu.statistics import builds
from kesu.statistics.actions import freeze
from kesu.statistics.counts import Dimension, classified
from kesu.statistics.indicators import indicators
from kesu.statistics.models import MonthCount, MonthIndicators, RollupMonth
from kesu.statistics.periods import parse
from kesu.statistics.projection import catch_up
from tests.statistics_history import drive, history

PERIODS = ["2026-08", "2026-09", "2026-Q3", "2026-Q4", "2026", "2026-08-15..2026-10-31"]
COUNTED_BY = [
    (Dimension.CATEGORY, Dimension.SEVERITY),
    (Dimension.SUBCATEGORY, Dimension.CAUSE, Dimension.DEPARTMENT),
    (Dimension.KIND, Dimension.CHANNEL),
    (),
    (Dimension.HANDLER,),  # not rolled up: read from the events
]
INDICATORS_BY = [
    (),
    (Dimension.DEPARTMENT,),
    (Dimension.HANDLER,),
    (Dimension.HANDLER, Dimension.DEPARTMENT),
    (Dimension.SEVERITY,),  # not rolled up: read from the facts
]


def figures() -> dict:
    """Every table and indicator of the periods, as plain values."""
    out: dict = {}
    for text in PERIODS:
        period = parse(text)
        for by in COUNTED_BY:
            table = classified(period, by=by)
            out[("counts", text, by)] = (
                [(r.key, r.count, r.previous, r.year_before) for r in table.rows],
                (table.total.count, table.total.previous, table.total.year_before),
            )
        for by in INDICATORS_BY:
            out[("indicators", text, by)] = {
                key: (
                    {n: (r.numerator, r.denominator) for n, r in found.figures.items()},
                    found.handling_p90_seconds,
                )
                for key, found in indicators(period, by=by).items()
            }
    return out


@contextmanager
def without_rollups():
    """Inside: no month is rolled up (undone on leaving)."""
    with transaction.atomic():
        RollupMonth.objects.all().delete()
        yield
        transaction.set_rollback(True)


def assert_same(mine: dict, theirs: dict) -> None:
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert mine[key] == theirs[key], key


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
def test_the_rolled_up_months_read_the_same_figures(people, scripts):
    with transaction.atomic():
        drive(people, scripts)
        catch_up()
        RollupMonth.objects.all().delete()
        plain = figures()
        built = builds.build_due()
        assert {(m.month, v) for m, v in built} >= {(8, 0), (9, 0), (10, 0), (11, 0)}
        assert MonthCount.objects.exists() and MonthIndicators.objects.exists()
        assert_same(figures(), plain)

        # the roll-ups are what is read: spoil one month's and the year's figures move
        with transaction.atomic():
            MonthCount.objects.filter(month__month=9).update(n=10_000)
            assert classified(parse("2026"), by=()).total.count > 10_000
            transaction.set_rollback(True)
        assert_same(figures(), plain)

        # a later event on an open complaint of a rolled-up month: read right before the
        # catch-up (the month is read from its events meanwhile) and after it (its roll-ups
        # were dropped)
        c = (
            Complaint.objects.filter(registered_at__lt=parse("2026-11").end)
            .exclude(state__in=[*FINAL_STATES, State.PLAN_APPROVAL])
            .order_by("pk")
            .first()
        )
        assert c is not None
        month = timezone.localdate(c.registered_at).month
        to = Severity.LEVEL_1 if c.severity != Severity.LEVEL_1 else Severity.LEVEL_3
        actions.reclassify(c, actor=people.qa, severity=to, reason="复核")
        counted = {k: v for k, v in figures().items() if k[0] == "counts"}
        with without_rollups():
            assert_same(counted, {k: v for k, v in figures().items() if k[0] == "counts"})
        catch_up()
        assert not RollupMonth.objects.filter(month__month=month, version=0).exists()
        assert RollupMonth.objects.filter(version=0).exclude(month__month=month).exists()
        later = figures()
        with without_rollups():
            assert_same(later, figures())
        builds.build_due()
        assert RollupMonth.objects.filter(month__month=month, version=0).exists()
        assert_same(figures(), later)

        # a frozen month reads its snapshot's roll-ups, also after later events
        freeze(parse("2026-10").first, actor=None)
        assert RollupMonth.objects.filter(month__month=10, version=1).exists()
        frozen = figures()
        with without_rollups():
            assert_same(frozen, figures())
        transaction.set_rollback(True)
