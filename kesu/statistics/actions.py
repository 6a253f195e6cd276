"""The only code that freezes or restates a month's figures (SPEC §10: a closed period is
reproducible). Each writes the month's snapshot and one append-only `StatisticsEvent`.

Freezing copies the live facts of every complaint the month's figures read — registered in
it, or finished in it — into `FrozenFact` under the month and a version; from then on the
indicators read that month from the copy, so later events on its complaints (a
reclassification, a reopen, a late survey) leave its figures as they were. Restating is the
deliberate exception: a new version from the live facts, with who and why. A month is frozen
automatically once it is over and `StatisticsSettings.freeze_grace_days` have passed
(`freeze_due`, a daily task).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.complaints.errors import invalid
from kesu.core import clock
from kesu.statistics import builds
from kesu.statistics.models import (
    ComplaintFact,
    FrozenFact,
    StatisticsEvent,
    StatisticsEventType,
    StatisticsSettings,
)
from kesu.statistics.periods import Period
from kesu.statistics.projection import catch_up


def freeze(month: date, *, actor: User | None, reason: str = "") -> StatisticsEvent | None:
    """Freeze the month's figures as they stand; nothing if it is frozen already. A month
    not over yet is refused: its figures are still coming in."""
    month = month.replace(day=1)
    if Period.month(month.year, month.month).end > clock.now():
        raise invalid("month", _("Only a month that is over can be frozen."))
    catch_up()
    with transaction.atomic():
        _lock()
        if StatisticsEvent.objects.filter(month=month).exists():
            return None
        return _snapshot(month, 1, StatisticsEventType.FROZEN, actor, reason)


def restate(month: date, *, actor: User, reason: str) -> StatisticsEvent:
    """A new version of a month's figures from the facts as they are now, with the reason."""
    month = month.replace(day=1)
    if not reason.strip():
        raise invalid("reason", _("Say why the month's figures are restated."))
    catch_up()
    with transaction.atomic():
        _lock()
        last = StatisticsEvent.objects.filter(month=month).aggregate(v=Max("version"))["v"]
        if last is None:
            raise invalid("month", _("Only a frozen month can be restated."))
        return _snapshot(month, last + 1, StatisticsEventType.RESTATED, actor, reason.strip())


def freeze_due(now: datetime | None = None) -> list[StatisticsEvent]:
    """Freeze every month that ended at least the grace days before `now` and is not frozen,
    from the month of the first complaint on."""
    now = now or clock.now()
    grace = timedelta(days=StatisticsSettings.current().freeze_grace_days)
    catch_up()
    first = ComplaintFact.objects.aggregate(at=Min("registered_at"))["at"]
    if first is None:
        return []
    first = timezone.localtime(first)
    frozen = set(StatisticsEvent.objects.values_list("month", flat=True))
    done = []
    month = Period.month(first.year, first.month)
    while month.end + grace <= now:
        if month.first not in frozen and (event := freeze(month.first, actor=None)):
            done.append(event)
        nxt = month.last + timedelta(days=1)
        month = Period.month(nxt.year, nxt.month)
    return done


def _lock() -> None:
    """One freeze or restatement at a time: the settings row is the lock."""
    StatisticsSettings.current()
    StatisticsSettings.objects.select_for_update().filter(pk=1).first()


def _snapshot(
    month: date, version: int, kind: StatisticsEventType, actor: User | None, reason: str
) -> StatisticsEvent:
    """Copy the live facts the month's figures read, in one INSERT … SELECT."""
    bounds = Period.month(month.year, month.month)
    columns = [
        str(f.column) for f in ComplaintFact._meta.concrete_fields if f.column != "complaint_id"
    ]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(FrozenFact._meta.db_table)} "  # noqa: S608 (names, not input)
        f"({listed}, {quote('complaint_id')}, {quote('month')}, {quote('version')}) "
        f"SELECT {listed}, {quote('complaint_id')}, %s, %s "
        f"FROM {quote(ComplaintFact._meta.db_table)} "
        f"WHERE ({quote('registered_at')} >= %s AND {quote('registered_at')} < %s) "
        f"OR ({quote('closed_at')} >= %s AND {quote('closed_at')} < %s)"
    )
    with connection.cursor() as cursor:
        at = [connection.ops.adapt_datetimefield_value(i) for i in (bounds.start, bounds.end)]
        cursor.execute(sql, [connection.ops.adapt_datefield_value(month), version, *at, *at])
        copied = cursor.rowcount
    event = StatisticsEvent(
        type=kind,
        month=month,
        version=version,
        actor=actor,
        at=clock.now(),
        reason=reason,
        data={"complaints": copied},
    )
    event.save()
    builds.build(month, version)  # the snapshot's monthly roll-ups: it never changes
    return event
