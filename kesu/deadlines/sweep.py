"""The deadline sweeper: warn at 80 %, breach at 100 %, escalate a working day later (SPEC §5).

It reads only complaints whose `next_check_at` has come (a partial index), so its cost follows
the number of due clocks, not the number of open complaints. Each batch is one transaction:

1. lock the due rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two sweepers split the work;
   SQLite: the write transaction itself is exclusive);
2. hand them to `actions.record_deadline_steps`, which replays each complaint's timeline,
   read inside the lock (the ladder steps already taken are events there, so a step is taken
   once, whoever sweeps and whenever a sweep was cut off), appends one timeline event per
   step, queues its notifications and saves the new schedule.

A crash anywhere before the commit leaves everything as it was; the next sweep does it again.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from kesu.complaints import actions
from kesu.complaints.models import Complaint
from kesu.core import clock

BATCH = 200


@dataclass
class SweepReport:
    complaints: int = 0
    steps: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"complaints": self.complaints, "steps": dict(self.steps)}


def sweep(now: datetime | None = None, batch: int = BATCH) -> SweepReport:
    """Take every ladder step that is due at `now` (default: the present)."""
    now = now or clock.now()
    report = SweepReport()
    after: tuple[datetime, int] | None = None
    while True:
        due = Complaint.objects.filter(next_check_at__lte=now)
        if after is not None:  # keyset: a row another sweeper holds is not read twice
            due = due.filter(
                Q(next_check_at__gt=after[0]) | Q(next_check_at=after[0], pk__gt=after[1])
            )
        keys = list(due.order_by("next_check_at", "pk").values_list("next_check_at", "pk")[:batch])
        if not keys:
            return report
        last_at, last_pk = keys[-1]
        assert last_at is not None  # the filter read only rows with a next check
        after = (last_at, last_pk)
        _sweep_batch([pk for _at, pk in keys], now, report)
        if len(keys) < batch:
            return report


def _sweep_batch(ids: list[int], now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        locked = list(
            Complaint.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, next_check_at__lte=now)  # re-read under the lock
            .order_by("pk")
        )
        if not locked:
            return
        for _complaint, event in actions.record_deadline_steps(locked, now):
            report.steps[str(event.type)] += 1  # the value, as the log and the record write it
        report.complaints += len(locked)
