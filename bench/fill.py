"""Bulk fill: complaints written straight into the tables, shaped as `actions.register` writes.

Per complaint: one `complaints_complaint` row (every column, defaults as the ORM sets them)
and one `register` timeline event whose data is {"severity_proposed": n, "basis": [...]},
computed by the product's own `propose_severity`. Numbers are `KS{YYYYMM}{seq:05d}` in the
local month of `registered_at`, one sequence per month, and `complaints_numbersequence` ends
at the highest number of each month, as if every row had been registered one by one.

Rows are spread over the 24 whole months before the current one (the API's registrations
during the benchmark all land in the current month), slowly growing over time, in
registration order: ids rise with `registered_at` inside one fill. The mix of states, kinds,
channels, categories, departments and owners is in `Shaper`.

SQLite is filled with the `sqlite3` module while no server runs (one big transaction per
batch); PostgreSQL with COPY. Both end with ANALYZE.
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing
import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from zoneinfo import ZoneInfo

from bench.synthetic import Generator, Record

BATCH = 5_000  # rows per transaction and per job of a worker
WORKERS = 2
MONTHS = 24

OPEN_STATES = [
    ("registered", 20),
    ("accepted", 12),
    ("investigating", 15),
    ("planning", 10),
    ("plan_approval", 5),
    ("treating", 18),
    ("verifying", 6),
    ("confirming", 7),
    ("return_visit", 7),
]
FINAL_STATES = [("closed", 88), ("withdrawn", 5), ("invalid", 5), ("merged", 2)]


@dataclass
class Reference:
    """What the fill needs from the freshly prepared database, as plain data."""

    categories: dict[str, tuple[int, int | None, int]]  # code -> (id, department id, severity)
    departments: dict[str, int]  # code -> id
    handlers: dict[int, list[int]]  # department id -> handler user ids
    intake: list[int]  # user ids of intake clerks (registered_by, event actor)
    rules: object  # kesu.complaints.severity.SeverityRules
    number_pattern: str
    time_zone: str
    complaint_columns: list[str]
    complaint_defaults: list
    event_columns: list[str]
    event_defaults: list
    # the deadline engine's inputs, so `due_at`/`next_check_at` are what registration writes
    clock_rules: tuple = ()
    calendar: object = None
    ladder: object = None
    category_ancestors: dict | None = None
    all_open: bool = False  # every row stays registered (the deadline sweep's benchmark)


def load_reference() -> Reference:
    """Read ids, policy and column defaults through Django (call after django.setup())."""
    from kesu.accounts.choices import Role
    from kesu.accounts.models import Department, User
    from kesu.complaints.models import Category, Complaint, ComplaintEvent
    from kesu.complaints.queries import category_ancestors, category_default_department
    from kesu.deadlines.queries import clock_rules, company_calendar, ladder
    from kesu.policies.queries import current_policy, severity_rules

    def columns(model):
        fields = model._meta.concrete_fields
        defaults = [f.get_default() for f in fields]
        defaults = [d.value if isinstance(d, Enum) else d for d in defaults]
        defaults = [
            json.dumps(d, cls=getattr(f, "encoder", None)) if isinstance(d, dict) else d
            for f, d in zip(fields, defaults, strict=True)
        ]
        return [f.column for f in fields], defaults

    handlers: dict[int, list[int]] = {}
    for pk, dept in User.objects.filter(role=Role.HANDLER).values_list("pk", "department_id"):
        handlers.setdefault(dept, []).append(pk)
    c_cols, c_defaults = columns(Complaint)
    e_cols, e_defaults = columns(ComplaintEvent)
    from django.conf import settings

    return Reference(
        categories={
            c.code: (c.pk, getattr(category_default_department(c), "pk", None), c.default_severity)
            for c in Category.objects.all()
        },
        departments=dict(Department.objects.values_list("code", "pk")),
        handlers=handlers,
        intake=list(User.objects.filter(role=Role.INTAKE).values_list("pk", flat=True)),
        rules=severity_rules(),
        number_pattern=current_policy().number_pattern,
        time_zone=settings.TIME_ZONE,
        complaint_columns=c_cols,
        complaint_defaults=c_defaults,
        event_columns=e_cols,
        event_defaults=e_defaults,
        clock_rules=clock_rules(),
        calendar=company_calendar(),
        ladder=ladder(),
        category_ancestors={
            c.pk: frozenset(category_ancestors(c.pk)) for c in Category.objects.all()
        },
    )


def _cum(mix):
    values = [v for v, _w in mix]
    total, cumulative = 0.0, []
    for _v, w in mix:
        total += w
        cumulative.append(total)
    return values, cumulative


class Shaper:
    """`registered()` builds the complaint row and the event row that `actions.register`
    writes for a `Record`; `age()` then moves the row on to a state, with an owner and the
    columns that state cannot do without."""

    def __init__(self, ref: Reference, seed: int, sqlite: bool):
        from kesu.complaints import numbering
        from kesu.complaints.models import ComplaintEvent

        self.ref = ref
        self.rng = random.Random(seed)
        self.sqlite = sqlite
        self.tz = ZoneInfo(ref.time_zone)
        self.numbering = numbering
        self.encoder = ComplaintEvent._meta.get_field("data").encoder
        self.col = {name: i for i, name in enumerate(ref.complaint_columns)}
        self.ecol = {name: i for i, name in enumerate(ref.event_columns)}
        self.open_states = _cum(OPEN_STATES)
        self.final_states = _cum(FINAL_STATES)
        self._prefix: dict[tuple[int, int], str] = {}

    def dt(self, value: datetime):
        # Django's SQLite backend stores UTC without zone as str(); PostgreSQL takes it aware.
        return str(value.replace(tzinfo=None)) if self.sqlite else value

    def prefix(self, local: datetime) -> str:
        key = (local.year, local.month)
        found = self._prefix.get(key)
        if found is None:
            found = self.numbering.prefix_for(self.ref.number_pattern, local)
            self._prefix[key] = found
        return found

    def number(self, at: datetime, seq: int) -> str:
        local = at.astimezone(self.tz)
        return self.numbering.format_number(self.ref.number_pattern, local, seq)

    def registered(self, rec: Record, pk: int, at: datetime, seq: int, actor: int):
        """What `actions.registration._insert` writes for a new registration (no import, no key)."""
        from kesu.complaints.severity import propose_severity

        ref, c = self.ref, self.col
        category_id, category_dept, category_severity = ref.categories[rec.category]
        proposal = propose_severity(
            ref.rules,
            kind=rec.kind,
            channel=rec.channel,
            category_default=category_severity,
            claim_amount=Decimal(rec.claim_amount) if rec.claim_amount is not None else None,
            texts=(rec.title, rec.description, rec.demand),
        )
        row = list(ref.complaint_defaults)
        row[c["id"]] = pk
        row[c["number"]] = self.number(at, seq)
        row[c["kind"]] = rec.kind
        row[c["channel"]] = rec.channel
        row[c["title"]] = rec.title
        row[c["description"]] = rec.description
        row[c["demand"]] = rec.demand
        row[c["claim_amount"]] = rec.claim_amount
        row[c["complainant_name"]] = rec.complainant_name
        row[c["complainant_org"]] = rec.complainant_org
        row[c["complainant_phone"]] = rec.complainant_phone
        row[c["complainant_email"]] = rec.complainant_email
        row[c["product_model"]] = rec.product_model
        row[c["batch_no"]] = rec.batch_no
        row[c["order_no"]] = rec.order_no
        row[c["project_name"]] = rec.project_name
        row[c["project_location"]] = rec.project_location
        row[c["category_id"]] = category_id
        row[c["severity"]] = rec.severity if rec.severity is not None else int(proposal.level)
        row[c["severity_proposed"]] = int(proposal.level)
        row[c["severity_reason"]] = rec.severity_reason
        row[c["department_id"]] = (
            ref.departments[rec.department] if rec.department else category_dept
        )
        row[c["read_back"]] = rec.read_back
        row[c["state"]] = "registered"
        row[c["registered_at"]] = self.dt(at)
        row[c["registered_by_id"]] = actor
        due, check = self.schedule(rec, row[c["severity"]], category_id, at)
        row[c["due_at"]], row[c["next_check_at"]] = due, check

        # the event's data: the basis of the proposal when more than the category spoke
        data = {}
        if any(not reason.startswith("category:") for reason in proposal.reasons):
            data["basis"] = proposal.reasons
        e = self.ecol
        event = list(ref.event_defaults)
        event[e["id"]] = pk
        event[e["complaint_id"]] = pk
        event[e["type"]] = "register"
        event[e["actor_id"]] = actor
        event[e["at"]] = self.dt(at)
        event[e["to_state"]] = "registered"
        event[e["data"]] = json.dumps(data, cls=self.encoder)
        return row, event

    def schedule(self, rec: Record, severity: int, category_id: int, at: datetime):
        """`due_at` and `next_check_at` as `actions.registration._insert` sets them, in seconds."""
        from kesu.deadlines.clocks import EventFact, Facts, replay, schedule
        from kesu.deadlines.engine import whole_second_up

        ref = self.ref
        facts = Facts(rec.kind, severity, rec.channel, ref.category_ancestors[category_id])
        event = EventFact(type="register", at=at, to_state="registered")
        clocks = replay([event], ref.clock_rules, facts, ref.calendar, ref.ladder)
        plan = schedule(clocks, ref.calendar, ref.ladder)
        return tuple(
            None if value is None else int(whole_second_up(value).timestamp())
            for value in (plan.due_at, plan.next_check_at)
        )

    def age(self, row: list, at: datetime, now: datetime) -> None:
        """Older complaints are mostly finished. Only what a state cannot do without is set
        (owner, version, closing time, merge target); the rest of a lifecycle (more events,
        dates, results) is left out, as in the peer benchmark."""
        r, c = self.rng, self.col
        if self.ref.all_open:
            return
        age_days = (now - at).total_seconds() / 86400
        p_open = 0.9 if age_days < 7 else 0.6 if age_days < 30 else 0.25 if age_days < 90 else 0.05
        pool = self.open_states if r.random() < p_open else self.final_states
        state = r.choices(pool[0], cum_weights=pool[1])[0]
        row[c["state"]] = state
        if state != "registered":
            owners = self.ref.handlers.get(row[c["department_id"]]) or []
            row[c["owner_id"]] = r.choice(owners) if owners else None
            row[c["version"]] = 2 + r.randrange(12)
        if pool is self.final_states:
            closed = min(now, at + timedelta(days=1 + r.randrange(40), minutes=r.randrange(600)))
            row[c["closed_at"]] = self.dt(closed)
            row[c["due_at"]] = row[c["next_check_at"]] = None  # finished: no running clock
            if state == "merged" and row[c["id"]] > 1:
                row[c["merged_into_id"]] = row[c["id"]] - 1

    def rows(self, rec: Record, pk: int, at: datetime, seq: int, now: datetime):
        row, event = self.registered(rec, pk, at, seq, self.rng.choice(self.ref.intake))
        self.age(row, at, now)
        return row, event


def month_start(local: datetime) -> datetime:
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def timestamps(n: int, now: datetime, tz: ZoneInfo, rng: random.Random) -> list[datetime]:
    """n sorted instants over the MONTHS whole local months before the current one, with a
    density that grows from 0.75 to 1.25 of the average (busier recent months)."""
    end = month_start(now.astimezone(tz))
    start = end
    for _ in range(MONTHS):
        start = month_start(start - timedelta(days=1))
    span = (end - start).total_seconds()
    us = sorted(rng.random() for _ in range(n))
    # inverse of F(t) = 0.75 t + 0.25 t^2 on [0, 1]
    out = []
    for u in us:
        t = (-0.75 + math.sqrt(0.5625 + u)) / 0.5
        # whole seconds, as the product's clock stores them (verify_shape checks the format)
        out.append((start + timedelta(seconds=int(t * span))).astimezone(UTC))
    return out


# ------------------------------------------------------------------------------ writers


def _state(con) -> tuple[int, int, dict[str, int]]:
    """(complaints, highest id of either table, {prefix: last}); `con` is a sqlite3 or a
    psycopg connection (both have `execute`)."""
    count, top = con.execute(
        "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM complaints_complaint"
    ).fetchone()
    top_event = con.execute(
        "SELECT COALESCE(MAX(id), 0) FROM complaints_complaintevent"
    ).fetchone()[0]
    seqs = dict(con.execute("SELECT prefix, last FROM complaints_numbersequence").fetchall())
    return count, max(top, top_event), seqs


class SqliteWriter:
    def __init__(self, path: str, ref: Reference):
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-1000000")  # 1 GB: index pages stay in memory
        self.con.execute("PRAGMA temp_store=MEMORY")
        cols = ", ".join(f'"{c}"' for c in ref.complaint_columns)
        marks = ", ".join("?" for _ in ref.complaint_columns)
        self.insert_complaint = f"INSERT INTO complaints_complaint ({cols}) VALUES ({marks})"
        cols = ", ".join(f'"{c}"' for c in ref.event_columns)
        marks = ", ".join("?" for _ in ref.event_columns)
        self.insert_event = f"INSERT INTO complaints_complaintevent ({cols}) VALUES ({marks})"

    def state(self) -> tuple[int, int, dict[str, int]]:
        return _state(self.con)

    def write(self, complaints, events):
        self.con.execute("BEGIN")
        self.con.executemany(self.insert_complaint, complaints)
        self.con.executemany(self.insert_event, events)
        self.con.execute("COMMIT")

    def finish(self, sequences: dict[str, int]):
        self.con.executemany(
            "INSERT INTO complaints_numbersequence (prefix, last) VALUES (?, ?) "
            "ON CONFLICT (prefix) DO UPDATE SET last = MAX(last, excluded.last)",
            sorted(sequences.items()),
        )
        self.con.execute("ANALYZE")
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.con.close()


class PostgresWriter:
    def __init__(self, url: str, ref: Reference):
        import psycopg

        self.con = psycopg.connect(url, autocommit=True)
        self.ref = ref

    def state(self) -> tuple[int, int, dict[str, int]]:
        return _state(self.con)

    def _copy(self, cur, table, columns, rows):
        cols = ", ".join(f'"{c}"' for c in columns)
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, complaints, events):
        with self.con.transaction(), self.con.cursor() as cur:
            self._copy(cur, "complaints_complaint", self.ref.complaint_columns, complaints)
            self._copy(cur, "complaints_complaintevent", self.ref.event_columns, events)

    def finish(self, sequences: dict[str, int]):
        with self.con.cursor() as cur:
            cur.executemany(
                "INSERT INTO complaints_numbersequence (prefix, last) VALUES (%s, %s) "
                "ON CONFLICT (prefix) DO UPDATE SET last = "
                "GREATEST(complaints_numbersequence.last, excluded.last)",
                sorted(sequences.items()),
            )
            for table in ("complaints_complaint", "complaints_complaintevent"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cur.execute("VACUUM ANALYZE complaints_complaint")
            cur.execute("VACUUM ANALYZE complaints_complaintevent")
        self.con.close()


# ------------------------------------------------------------------------------ the fill


_WORKER: dict = {}


def _worker_init(ref: Reference, sqlite: bool, now: datetime) -> None:
    gc.disable()
    _WORKER.update(ref=ref, sqlite=sqlite, now=now)


def _make_batch(job: tuple[int, list[tuple[int, datetime, int]]]):
    """Rows for one batch, built in a worker process: (complaint rows, event rows)."""
    seed, items = job
    shaper = Shaper(_WORKER["ref"], seed, _WORKER["sqlite"])
    generator = Generator(seed + 1)
    now = _WORKER["now"]
    complaints, events = [], []
    for pk, at, seq in items:
        row, event = shaper.rows(generator.make(pk), pk, at, seq, now)
        complaints.append(row)
        events.append(event)
    return complaints, events


def fill(writer, ref: Reference, target: int, *, sqlite: bool, seed: int, log) -> dict:
    """Add complaints until the table holds `target`; returns what was done.

    The parent numbers the rows (id, time, sequence per month); two forked workers build
    the rows batch by batch while the parent writes the previous batch.
    """
    count, top, sequences = writer.state()
    need = target - count
    if need <= 0:
        return {"rows_added": 0, "complaints": count}
    now = datetime.now(UTC)
    tz = ZoneInfo(ref.time_zone)
    numbering = Shaper(ref, seed, sqlite)
    items = []
    new_sequences = dict(sequences)
    per_month: dict[str, int] = {}
    for i, at in enumerate(timestamps(need, now, tz, random.Random(seed))):
        prefix = numbering.prefix(at.astimezone(tz))
        seq = new_sequences.get(prefix, 0) + 1
        new_sequences[prefix] = seq
        per_month[prefix] = per_month.get(prefix, 0) + 1
        items.append((top + 1 + i, at, seq))
    jobs = [(seed + 10 + n, items[i : i + BATCH]) for n, i in enumerate(range(0, need, BATCH))]
    added = 0
    context = multiprocessing.get_context("fork")
    gc.disable()  # millions of young objects and no cycles: the collector only costs time
    try:
        with context.Pool(WORKERS, initializer=_worker_init, initargs=(ref, sqlite, now)) as pool:
            for complaints, events in pool.imap(_make_batch, jobs):
                writer.write(complaints, events)
                added += len(complaints)
                if added % 100_000 < BATCH:
                    log(f"fill: {count + added:,} of {target:,}")
    finally:
        gc.enable()
    writer.finish({p: s for p, s in new_sequences.items() if s != sequences.get(p)})
    return {
        "rows_added": added,
        "complaints": count + added,
        "order_numbers": [f"SO{top + 1:08d}", f"SO{top + need:08d}"],
        "months": len(per_month),
        "highest_sequence_of_a_filled_month": max(new_sequences[p] for p in per_month),
    }


# ------------------------------------------------------------------------------ shape check


def verify_shape(ref: Reference, *, sqlite: bool, token: str, read) -> dict:
    """Register two complaints through the real API (django.test.Client) and compare their
    stored rows, column by column, with what `Shaper.registered` builds for the same records:
    one plain, one with a keyword basis, a department and a severity chosen by the caller.

    `read(sql, params)` returns (column names, first row) straight from the database.
    """
    from django.test import Client

    from kesu.accounts.models import User
    from kesu.complaints import numbering

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    generator = Generator(seed=31337)
    records = [generator.make(99_000_000)]
    for i in range(1, 20_000):
        rec = generator.make(99_000_000 + i)
        if "渗漏" in rec.title and rec.department and rec.severity is not None:
            records.append(rec)
            break
    shaper = Shaper(ref, 0, sqlite)
    differences, columns = [], 0
    for rec in records:
        body = json.dumps(rec.api_payload(), ensure_ascii=False)
        response = client.post("/api/v1/complaints", body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"shape check: {response.status_code} {response.content[:300]!r}")
        number = response.json()["number"]
        names, stored = read("SELECT * FROM complaints_complaint WHERE number = ?", (number,))
        complaint = dict(zip(names, stored, strict=True))
        names, stored = read(
            "SELECT * FROM complaints_complaintevent WHERE complaint_id = ?", (complaint["id"],)
        )
        event = dict(zip(names, stored, strict=True))
        at = complaint["registered_at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at).replace(tzinfo=UTC)
        actor = User.objects.get(pk=complaint["registered_by_id"]).pk
        seq = numbering.parse_number(ref.number_pattern, number)[1]
        row, ev = shaper.registered(rec, complaint["id"], at, seq, actor)
        built = dict(zip(ref.complaint_columns, row, strict=True))
        built_event = dict(zip(ref.event_columns, ev, strict=True))
        built_event["id"] = event["id"]
        if sqlite:
            built, built_event = _as_sqlite_stores(read, built, built_event)
        for table, mine, theirs in (
            ("complaint", built, complaint),
            ("event", built_event, event),
        ):
            for name, value in theirs.items():
                columns += 1
                if _norm(mine.get(name), value) != _norm(value, value):
                    differences.append(
                        f"{table}.{name}: register {value!r}, fill {mine.get(name)!r}"
                    )
    return {"records": len(records), "columns_compared": columns, "differences": differences}


def _norm(value, stored):
    """Comparable form. SQLite text is compared byte for byte (JSON included: its spacing is
    stored); PostgreSQL's jsonb comes back parsed, so JSON is compared by value there."""
    if isinstance(stored, dict | list):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _as_sqlite_stores(read, complaint: dict, event: dict) -> tuple[dict, dict]:
    """Pass the built rows through tables declared like the real ones (same column
    affinities), so both sides are compared as SQLite stores them."""
    memory = sqlite3.connect(":memory:")
    out = []
    for table, row in (("complaints_complaint", complaint), ("complaints_complaintevent", event)):
        memory.execute(read("SELECT sql FROM sqlite_master WHERE name = ?", (table,))[1][0])
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        memory.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        cursor = memory.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        out.append(dict(zip(names, cursor.fetchone(), strict=True)))
    memory.close()
    return out[0], out[1]
