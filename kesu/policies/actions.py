"""Changing a time limit: the one writer of `ClockPolicy` rows outside the defaults.

A change applies either to new complaints only (the old row keeps the complaints registered
before the change, a new row takes those registered from then on: no due time moves) or also
to the open complaints, whose due times move (`actions.move_due_times`), one timeline event each.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from kesu.complaints import actions
from kesu.complaints.choices import OPEN_STATE_LIST
from kesu.complaints.models import Complaint
from kesu.complaints.queries import category_family
from kesu.core import clock
from kesu.deadlines import engine
from kesu.deadlines.clocks import ClockRule
from kesu.deadlines.queries import clock_rules, company_calendar, rule_of
from kesu.policies.choices import LimitScope
from kesu.policies.models import ClockPolicy

BATCH = 500


def _could_apply(row: ClockPolicy) -> Q | None:
    """The complaints `row` could apply to; None: any complaint."""
    q = Q()
    if row.severity is not None:
        q &= Q(severity=row.severity)
    if row.category is not None:
        q &= Q(category_id__in=category_family(row.category))
    if row.channel:
        q &= Q(channel=row.channel)
    if row.kind:
        q &= Q(kind=row.kind)
    if row.registered_from is not None:
        q &= Q(registered_at__gte=row.registered_from)
    if row.registered_before is not None:
        q &= Q(registered_at__lt=row.registered_before)
    return q or None


def affected_open(row: ClockPolicy) -> QuerySet[Complaint]:
    """The open complaints whose clocks the row, as saved and as edited, could govern."""
    qs = Complaint.objects.filter(state__in=OPEN_STATE_LIST)
    saved = ClockPolicy.objects.filter(pk=row.pk).first() if row.pk else None
    conditions = [_could_apply(row)] + ([_could_apply(saved)] if saved else [])
    either = Q()
    for condition in conditions:
        if condition is None:  # one of them applies to any complaint
            return qs
        either |= condition
    return qs.filter(either)


def rules_with(row: ClockPolicy) -> tuple[ClockRule, ...]:
    """The active rules as they would be with `row` saved as it is now (not saved)."""
    others = tuple(r for r in clock_rules() if not (row.pk and r.rule_id == row.pk))
    if not row.active:
        return others
    return (*others, rule_of(row, company_calendar().day_length))


@dataclass
class Preview:
    moves: list[engine.Move]
    complaints: int  # how many open complaints would move
    checked: int  # how many open complaints the change could concern


def preview(row: ClockPolicy, shown: int = 200) -> Preview:
    """Which open complaints' due times the edited (unsaved) row would move."""
    candidates = affected_open(row).order_by("pk")
    moved: list[engine.Move] = []
    numbers: set[int] = set()
    for move in engine.moves(candidates.iterator(chunk_size=BATCH), clock_rules(), rules_with(row)):
        numbers.add(move.complaint.pk)
        if len(moved) < shown:
            moved.append(move)
    return Preview(moved, len(numbers), candidates.count())


@transaction.atomic
def change_time_limit(row: ClockPolicy, *, actor, scope: LimitScope) -> list[engine.Move]:
    """Save the edited `row` for new complaints only, or for the open ones too (their due
    times moved by `actions.move_due_times`, one `time_limit_changed` event each); returns the
    moves made."""
    now = clock.now()
    if scope == LimitScope.NEW_ONLY:
        if row.pk is not None:
            # the old row keeps the complaints registered until now
            ClockPolicy.objects.filter(pk=row.pk).update(registered_before=now)
            row.pk = None
            row._state.adding = True
        row.registered_from, row.registered_before = now, None
        row.save()
        return []
    candidates = affected_open(row)  # read before the save: the row's old conditions count
    before = clock_rules()
    row.save()  # clears the rules' cache (kesu.core.memo)
    after = clock_rules()
    moved: list[engine.Move] = []
    ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        # lock order: complaint rows by id, as the sweep does
        locked = list(
            Complaint.objects.select_for_update()
            .filter(pk__in=ids[start : start + BATCH])
            .order_by("pk")
        )
        moved += actions.move_due_times(locked, before, after, actor=actor, at=now, rule_id=row.pk)
    return moved
