"""Building the monthly roll-ups (`rollups`): a month at a time, from the same GROUP BYs the
reads run (`counts.month_groups`, `indicators.month_sums`)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from kesu.core import clock
from kesu.statistics import counts, indicators
from kesu.statistics.frozen import frozen_months
from kesu.statistics.indicators import term_keys
from kesu.statistics.models import (
    ComplaintFact,
    MonthCount,
    MonthIndicators,
    RollupMonth,
    Watermark,
)
from kesu.statistics.periods import Period
from kesu.statistics.rollups import LIVE, drop_live, month_of


def build(first: date, version: int = LIVE) -> None:
    """(Re)build one month's roll-ups: for the live version from the facts and timeline as
    they stand, under the catch-up's lock (so no catch-up changes them meanwhile)."""
    bounds = Period.month(first.year, first.month)
    with transaction.atomic():
        Watermark.objects.get_or_create(pk=1)
        Watermark.objects.select_for_update().filter(pk=1).first()
        RollupMonth.objects.filter(month=first, version=version).delete()
        MonthCount.objects.filter(month=first, version=version).delete()
        MonthIndicators.objects.filter(month=first, version=version).delete()
        rows = [
            MonthCount(month=first, version=version, n=n, **values)
            for values, n in counts.month_groups(bounds, version)
        ]
        MonthCount.objects.bulk_create(rows, batch_size=2000)
        terms, groups = indicators.month_sums(bounds, version)
        MonthIndicators.objects.bulk_create(
            [
                MonthIndicators(
                    month=first,
                    version=version,
                    placement=placement,
                    department_id=department,
                    handler_id=handler,
                    sums=sums,
                    durations={str(k): v for k, v in sorted(durations.items())},
                )
                for (placement, department, handler), (sums, durations) in groups.items()
            ],
            batch_size=500,
        )
        RollupMonth.objects.create(month=first, version=version, terms=terms, built_at=clock.now())


def build_due(now: datetime | None = None) -> list[tuple[date, int]]:
    """Build every month that is over and has no roll-ups for the version its reads use (the
    frozen one, else live), or has them for other figures than `SPECS` now names, from the
    month of the first complaint on."""
    now = now or clock.now()
    first_at = ComplaintFact.objects.order_by("registered_at").values_list(
        "registered_at", flat=True
    )[:1]
    if not first_at:
        return []
    frozen = frozen_months()
    built = {
        (m, v): set(t) for m, v, t in RollupMonth.objects.values_list("month", "version", "terms")
    }
    terms = term_keys()
    done = []
    first = month_of(first_at[0])
    while Period.month(first.year, first.month).end <= now:
        version = frozen.get(first, LIVE)
        if built.get((first, version)) != terms:  # none yet, or the figures changed
            build(first, version)
            done.append((first, version))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return done


def rebuild_all() -> list[tuple[date, int]]:
    """Drop every live roll-up and build the months again (after `projection.rebuild`)."""
    drop_live()
    return build_due()
