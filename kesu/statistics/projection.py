"""Keeping `ComplaintFact` current without touching the complaints' write path.

`catch_up()` reads the timeline events above a stored watermark, and recomputes the facts of
the complaints they belong to (`facts.fact_of`). It runs at the start of every statistics read
and every few minutes in the worker (`tasks.py`); `rebuild()` recomputes every complaint
(`kesu statistics rebuild`, after an import or a migration).

Commit order. Event ids come from a sequence, handed out when a row is inserted, not when its
transaction commits: on PostgreSQL a transaction holding id 100 may commit after one holding
101 was read. So the watermark also keeps the *gaps*: ids below it that were missing when it
was read. Each catch-up reads the events above the watermark *and* those with a gap's id; a
gap that was filled is handled like any new event, and one still empty after `GAP_GRACE` is
taken for a rolled-back transaction and forgotten (no transaction of Kesu lasts that long).
SQLite hands out ids under its single write lock and commits in that order: it has no gaps
that fill later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kesu.complaints.models import Complaint, ComplaintEvent, Plan, ReturnVisit
from kesu.complaints.queries import categories_by_id
from kesu.core.trees import path_up
from kesu.deadlines.clocks import Facts
from kesu.deadlines.queries import clock_rules, company_calendar, ladder
from kesu.policies.choices import ClockKind
from kesu.statistics import facts, rollups
from kesu.statistics.models import ComplaintFact, StatisticsSettings, Watermark

BATCH = 2000  # events read per step of a catch-up
REBUILD_BATCH = 5000  # complaints recomputed per transaction of a rebuild
GAP_GRACE = timedelta(minutes=30)
CLOCK_KINDS = tuple(k.value for k in ClockKind)

_COMPLAINT_FIELDS = (
    "id",
    "kind",
    "channel",
    "severity",
    "category_id",
    "department_id",
    "owner_id",
    "registered_at",
    "anonymous",
    "complainant_phone",
    "complainant_email",
    "product_model",
    "project_name",
)
_EVENT_FIELDS = ("id", "complaint_id", "type", "at", "from_state", "to_state", "customer_visible")


def catch_up() -> int:
    """Bring the facts up to the events committed so far; returns the complaints recomputed."""
    mark = Watermark.objects.filter(pk=1).first()
    # the usual read: nothing new, two index probes and no write
    if mark is not None:  # the usual read: nothing new and no gap filled, one probe, no write
        gaps = [int(k) for k in mark.gaps]
        news = ComplaintEvent.objects.filter(Q(id__gt=mark.last_event_id) | Q(id__in=gaps))
        if not news.exists():
            return 0
    done = 0
    while True:
        with transaction.atomic():
            mark = Watermark.objects.select_for_update().filter(pk=1).first()
            if mark is None:
                mark = Watermark.objects.create(pk=1)
            changed, more = _step(mark)
            recompute(changed)
            mark.save()
        done += len(changed)
        if not more:
            return done


def _step(mark: Watermark) -> tuple[set[int], bool]:
    """Read the next events above the watermark and those of its gaps; move it on."""
    gaps = {int(k): v for k, v in mark.gaps.items()}
    rows = list(
        ComplaintEvent.objects.filter(id__gt=mark.last_event_id)
        .order_by("id")
        .values_list("id", "complaint_id")[:BATCH]
    )
    if gaps:
        rows += ComplaintEvent.objects.filter(id__in=list(gaps)).values_list("id", "complaint_id")
    seen = {event_id for event_id, _complaint in rows}
    now = timezone.now()
    new_last = max([mark.last_event_id, *(i for i in seen if i > mark.last_event_id)])
    for missing in set(range(mark.last_event_id + 1, new_last + 1)) - seen:
        gaps[missing] = now.isoformat()
    mark.gaps = {
        str(k): v
        for k, v in sorted(gaps.items())
        if k not in seen and now - datetime.fromisoformat(v) < GAP_GRACE
    }
    more = sum(1 for i in seen if i > mark.last_event_id) >= BATCH
    mark.last_event_id = new_last
    return {complaint for _event, complaint in rows}, more


def rebuild() -> int:
    """Recompute every complaint's facts from its timeline; the watermark then stands at the
    last event read (events written meanwhile are caught up next). The facts are written
    batch by batch in plain multi-row upserts, and the repeat flags set once at the end in
    one pass over the facts in (customer, subject, instant) order; the live monthly
    roll-ups are dropped."""
    with transaction.atomic():
        mark, _ = Watermark.objects.select_for_update().get_or_create(pk=1)
        last = ComplaintEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        mark.last_event_id, mark.gaps = last, {}
        mark.save()
    ids = list(Complaint.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), REBUILD_BATCH):
        with transaction.atomic():
            _write(_compute(ids[start : start + REBUILD_BATCH]))
    with transaction.atomic():
        mark_all_repeats()
    rollups.drop_live()  # built again by the worker (`builds.build_due`) or the command
    return len(ids)


def recompute(complaint_ids: Iterable[int]) -> None:
    """Recompute the facts of these complaints (and the repeat flags of their neighbours),
    and drop the live roll-ups of every month they were or are now placed in."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return
    placed: list[datetime | None] = []
    for registered_at, closed_at in ComplaintFact.objects.filter(complaint_id__in=ids).values_list(
        "registered_at", "closed_at"
    ):
        placed += (registered_at, closed_at)
    built = _compute(ids, placed)
    _write(built)
    placed += mark_repeats({(f["customer_key"], f["subject_key"]) for f in built})
    rollups.invalidate(placed)


def _compute(
    complaint_ids: Iterable[int], placed: list[datetime | None] | None = None
) -> list[dict[str, Any]]:
    """The fact columns of these complaints (those whose timeline starts with registering);
    the instants that place them (registered, closed) added to `placed`."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return []
    records = list(Complaint.objects.filter(id__in=ids).values(*_COMPLAINT_FIELDS))
    timelines: dict[int, list[facts.Event]] = defaultdict(list)
    rows = ComplaintEvent.objects.filter(complaint_id__in=ids).order_by("id")
    for *head, data in rows.values_list(*_EVENT_FIELDS, "data").iterator(chunk_size=5000):
        event_id, complaint_id, type_, at, from_state, to_state, visible = head
        timelines[complaint_id].append(
            facts.Event(event_id, type_, at, from_state, to_state, bool(visible), data or {})
        )
    surveys, plans = _referenced(timelines.values())
    setting = facts.ClockSetting(clock_rules(), company_calendar(), ladder())
    parents = {pk: c.parent_id for pk, c in categories_by_id().items()}
    built = []
    for row in records:
        events = timelines.get(row["id"])
        if not events or events[0].type != "register":
            continue
        fact = facts.fact_of(_record(row, parents), events, surveys, plans, setting, CLOCK_KINDS)
        built.append({"complaint_id": row["id"], **fact.columns()})
    if placed is not None:
        for events in timelines.values():  # the counts read every `register` event
            placed += (e.at for e in events if e.type == "register")
        placed += (f["closed_at"] for f in built)
    return built


def _write(built: list[dict[str, Any]]) -> None:
    """Insert or update these facts (all but `repeat`, which `mark_repeats` keeps) in plain
    multi-row upserts: the ORM's bulk_create prepares every value of every field, which cost
    twice the facts' own computing."""
    if not built:
        return
    fields = [f for f in ComplaintFact._meta.concrete_fields]
    names = [f.attname for f in fields]
    instants = {f.attname for f in fields if f.get_internal_type() == "DateTimeField"}
    adapt = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    listed = ", ".join(quote(str(f.column)) for f in fields)
    updates = ", ".join(
        f"{quote(str(f.column))} = excluded.{quote(str(f.column))}"
        for f in fields
        if not f.primary_key and f.attname != "repeat"
    )
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    table = quote(ComplaintFact._meta.db_table)
    per_statement = max(1, 30_000 // len(names)) if connection.vendor == "sqlite" else 500
    with connection.cursor() as cursor:
        for start in range(0, len(built), per_statement):
            chunk = built[start : start + per_statement]
            values: list[Any] = []
            for fact in chunk:
                for name in names:
                    value = fact.get(name, False) if name == "repeat" else fact[name]
                    values.append(adapt(value) if name in instants else value)
            cursor.execute(
                f"INSERT INTO {table} ({listed}) VALUES "  # noqa: S608 (names, not input)
                + ", ".join([one] * len(chunk))
                + f" ON CONFLICT ({quote('complaint_id')}) DO UPDATE SET {updates}",
                values,
            )


def mark_repeats(keys: Iterable[tuple[str, str]]) -> list[datetime]:
    """Set `repeat` on the facts of these (customer, subject) pairs: a complaint is a repeat
    when the same customer complained of the same product or project within the settings'
    window before it."""
    keys = {(c, s) for c, s in keys if c and s}
    if not keys:
        return []
    window = timedelta(days=StatisticsSettings.current().repeat_window_days)
    customers = {c for c, _s in keys}
    groups: dict[tuple[str, str], list[tuple[datetime, int, bool]]] = defaultdict(list)
    rows = ComplaintFact.objects.filter(customer_key__in=customers).values_list(
        "customer_key", "subject_key", "registered_at", "complaint_id", "repeat"
    )
    for customer, subject, at, pk, repeat in rows:
        if (customer, subject) in keys:
            groups[(customer, subject)].append((at, pk, repeat))
    flips: dict[bool, list[int]] = {True: [], False: []}
    flipped = []
    for group in groups.values():
        group.sort()
        for index, (at, pk, was) in enumerate(group):
            now = index > 0 and at - group[index - 1][0] <= window
            if now != was:
                flips[now].append(pk)
                flipped.append(at)
    for value, pks in flips.items():
        if pks:
            ComplaintFact.objects.filter(complaint_id__in=pks).update(repeat=value)
    return flipped


def mark_all_repeats() -> None:
    """`mark_repeats` for every (customer, subject) pair at once: one ordered pass over the
    facts that have both keys, the changed flags written in batches."""
    window = timedelta(days=StatisticsSettings.current().repeat_window_days)
    rows = (
        ComplaintFact.objects.exclude(customer_key="")
        .exclude(subject_key="")
        .order_by("customer_key", "subject_key", "registered_at", "complaint_id")
        .values_list("customer_key", "subject_key", "registered_at", "complaint_id", "repeat")
    )
    flips: dict[bool, list[int]] = {True: [], False: []}
    group: tuple[str, str] | None = None
    before: datetime | None = None
    for customer, subject, at, pk, was in rows.iterator(chunk_size=10_000):
        now = group == (customer, subject) and before is not None and at - before <= window
        if now != was:
            flips[now].append(pk)
        group, before = (customer, subject), at
    for value, pks in flips.items():
        for start in range(0, len(pks), BATCH):
            ComplaintFact.objects.filter(complaint_id__in=pks[start : start + BATCH]).update(
                repeat=value
            )


def _record(row: dict[str, Any], parents: dict[int, int | None]) -> facts.Record:
    ancestors = path_up(row["category_id"], parents)
    return facts.Record(
        id=row["id"],
        category_id=row["category_id"],
        category_root_id=ancestors[-1],
        severity=row["severity"],
        kind=row["kind"],
        channel=row["channel"],
        department_id=row["department_id"],
        handler_id=row["owner_id"],
        customer_key=customer_key(row),
        subject_key=subject_key(row),
        clock_facts=Facts(
            kind=row["kind"],
            severity=int(row["severity"]),
            channel=row["channel"],
            category_ids=frozenset(ancestors),
            registered_at=row["registered_at"],
        ),
    )


def customer_key(row: dict[str, Any]) -> str:
    """Who complained, for repeat complaints: the phone (stored as E.164), else the e-mail;
    nobody for an anonymous complaint."""
    if row["anonymous"]:
        return ""
    return row["complainant_phone"] or (row["complainant_email"] or "").strip().lower()


def subject_key(row: dict[str, Any]) -> str:
    """What it was about: the product model, else the project."""
    if model := " ".join((row["product_model"] or "").split()).lower():
        return f"product:{model}"
    if project := " ".join((row["project_name"] or "").split()).lower():
        return f"project:{project}"
    return ""


def _referenced(
    timelines: Iterable[Sequence[facts.Event]],
) -> tuple[dict[int, facts.Survey], dict[int, list[dict[str, Any]]]]:
    """The surveys and cost splits the events name (written once, never changed)."""

    visit_ids, plan_ids = set(), set()
    for events in timelines:
        for e in events:
            if e.type == "return_visit" and e.data.get("return_visit"):
                visit_ids.add(int(e.data["return_visit"]))
            elif e.type in ("propose_plan", "approve_plan") and e.data.get("plan"):
                plan_ids.add(int(e.data["plan"]))
    surveys = {
        pk: facts.Survey(scale, int(points), int(max_points))
        for pk, scale, points, max_points in ReturnVisit.objects.filter(
            pk__in=visit_ids
        ).values_list("pk", "scale", "points", "max_points")
    }
    plans = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "cost"))
    return surveys, plans
