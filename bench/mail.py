"""`make bench`, e-mail intake: 10,000 customer e-mails from a local mailbox file (issue #5).

    .venv/bin/python bench/mail.py [--db sqlite|postgres] [--count 10000] [--quick]

A fresh database, then an mbox of `--count` real-world-shaped messages: new complaints in
UTF-8, GBK, GB2312 and Big5 (plain, HTML-only, some with a photo and an encoded file name),
replies to earlier ones (in the customer's own thread, and by the subject alone, without
thread headers, as QQ Mail's "回复：" chains come), auto-replies, bounces, unreadable
messages, and messages delivered twice (the same bytes again). Measured in one process, the
way `kesu mail import-file` and the IMAP poller call `kesu.mail.intake.receive`:

* messages per second over the whole mailbox, next to the floor of parsing alone (the same
  messages, no database), as a ratio measured in the same run;
* the duplicate check: 500 already-taken messages delivered again with 1,000 and then with
  all messages stored; seconds per message at each point (their ratio should stay near 1:
  one probe of the unique Message-ID index, whatever the table holds), and the SQL
  statements one redelivery costs (constant).

Prints one JSON document on stdout; progress on stderr. Each run appends its rate to
`bench/out/mail-history.json` (ignored by git) and reports it beside the last run's on the same
database and count (`intake.last_run`), with that run's commit, so a change's effect on the
rate reads from two runs on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mailbox
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import PG_DEFAULT_URL, prepare, recreate_postgres  # noqa: E402

T0 = time.perf_counter()
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 8
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
PROBLEMS = [
    ("阀门渗漏", "DN50阀门批号2025-07出现渗漏，要求更换。"),
    ("墙面裂缝", "新房交付后客厅墙面出现多处裂缝。"),
    ("热水器漏水", "热水器（型号JSQ-16）漏水，地板泡坏了。"),
    ("送货延误", "订单SO2026110012 承诺三天到货，已经一周还没到。"),
    ("服务态度差", "安装师傅态度恶劣，还乱收费。"),
    ("包装破损", "收到的货物外包装破损，里面的配件丢失。"),
]


def log(message: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] mail: {message}", file=sys.stderr, flush=True)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--count", type=int, default=10_000, help="messages in the mailbox")
    ap.add_argument("--quick", action="store_true", help="2,000 messages")
    ap.add_argument("--workdir", default="/tmp/kesu-bench-mail")  # noqa: S108 (deleted first)
    ap.add_argument("--history", default=str(ROOT / "bench" / "out" / "mail-history.json"))
    args = ap.parse_args(argv)
    if args.quick:
        args.count = 2_000
    return args


# ------------------------------------------------------------------------------ messages


def _new_complaint(i: int, rng: random.Random) -> tuple[bytes, str]:
    """The message, and its subject."""
    title, body = rng.choice(PROBLEMS)
    name = rng.choice(SURNAMES) + rng.choice(["先生", "女士", "伟", "娜", "强"])
    charset = rng.choice(["utf-8", "utf-8", "gbk", "gb2312", "big5"])
    contact = "联系人"
    if charset == "big5":
        title, body = "浴室牆面裂縫", "你好，新房的浴室牆面有裂縫，而且漏水。請盡快處理。"
        name, contact = "陳先生", "聯絡人"
    html = rng.random() < 0.2
    text = f"<p>{body}</p><p>{contact}：{name}</p>" if html else f"{body}\n{contact}：{name}"
    part = MIMEText(text, "html" if html else "plain", charset)
    if rng.random() < 0.1:
        outer = MIMEMultipart("mixed")
        outer.attach(part)
        photo = MIMEImage(PHOTO, _subtype="jpeg")
        photo.add_header(
            "Content-Disposition", "attachment", filename=Header("现场照片.jpg", "gb2312").encode()
        )
        outer.attach(photo)
        part = outer
    part["Subject"] = Header(f"{title}（{i}）", charset).encode()
    part["From"] = formataddr((str(Header(name, charset).encode()), f"c{i}@example.cn"))
    part["To"] = "kefu@kesu.example"
    part["Message-ID"] = f"<new{i}@example.cn>"
    return part.as_bytes(), f"{title}（{i}）"


def _reply(i: int, to: int, number_hint: str) -> bytes:
    """A reply to message `to`: by subject number when known, else quoting it (no thread)."""
    body = "补充：问题还没解决。\n\n-----原始邮件-----\n发件人: kefu@kesu.example\n您好，已受理。"
    part = MIMEText(body, "plain", "utf-8")
    part["Subject"] = Header(f"回复：{number_hint}", "utf-8").encode()
    part["From"] = f"c{to}@example.cn"
    part["To"] = "kefu@kesu.example"
    part["Message-ID"] = f"<reply{i}@example.cn>"
    part["In-Reply-To"] = f"<new{to}@example.cn>"
    return part.as_bytes()


def _subject_reply(i: int, to: int, subject: str) -> bytes:
    """A reply with no thread headers at all (QQ Mail's "回复：" chains): found by its subject
    from the same address, through the subject-thread index."""
    part = MIMEText("师傅还没来，请尽快安排。", "plain", "utf-8")
    part["Subject"] = Header(f"回复：{subject}", "utf-8").encode()
    part["From"] = f"c{to}@example.cn"
    part["To"] = "kefu@kesu.example"
    part["Message-ID"] = f"<subject{i}@example.cn>"
    return part.as_bytes()


def _auto(i: int) -> bytes:
    part = MIMEText("我正在休假，11月30日返回。", "plain", "utf-8")
    part["Subject"] = Header("自动回复: 您的投诉已受理", "utf-8").encode()
    part["From"] = f"away{i}@example.cn"
    part["Auto-Submitted"] = "auto-replied"
    part["Message-ID"] = f"<auto{i}@example.cn>"
    return part.as_bytes()


def _bounce(i: int) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{i}@mx.example.com>\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--B--\r\n"
    ).encode()


def _garbage(i: int, rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(300)).replace(b"\n", b" ") + f"{i}".encode()


def build_mailbox(path: Path, count: int, seed: int = 5) -> Counter:
    rng = random.Random(seed)
    box = mailbox.mbox(path)
    kinds: Counter = Counter()
    made: list[int] = []
    sent: dict[int, tuple[bytes, str]] = {}  # a new complaint's message and its subject
    for i in range(count):
        roll = rng.random()
        if roll < 0.70 or not made:
            raw, subject = _new_complaint(i, rng)
            kind = "new"
            made.append(i)
            sent[i] = (raw, subject)
        elif roll < 0.80:
            raw, kind = _reply(i, rng.choice(made), "您的投诉"), "reply"
        elif roll < 0.85:
            to = rng.choice(made)
            raw, kind = _subject_reply(i, to, sent[to][1]), "subject_reply"
        elif roll < 0.90:
            raw, kind = _auto(i), "auto_reply"
        elif roll < 0.94:
            raw, kind = _bounce(i), "bounce"
        elif roll < 0.96:
            raw, kind = _garbage(i, rng), "garbage"
        else:
            raw, kind = sent[rng.choice(made)][0], "dup"  # the same message delivered again
        box.add(raw)
        kinds[kind] += 1
    box.flush()
    return kinds


# ------------------------------------------------------------------------------ measuring


def floor_parse(raws: list[bytes]) -> float:
    from django.conf import settings

    from kesu.mail import parse

    t0 = time.perf_counter()
    for raw in raws:
        with contextlib.suppress(parse.MailParseError):
            parse.parse(raw, own_addresses=settings.KESU_MAIL_OWN_ADDRESSES)
    return time.perf_counter() - t0


def redeliver(raws: list[bytes]) -> dict:
    """Deliver already-taken messages again; seconds per message and SQL per message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesu.mail import intake
    from kesu.mail.choices import MailSource, NotTaken
    from kesu.mail.models import InboundMail

    rounds, probes, floors = [], [], []
    ids = [f"new{i}@example.cn" for i in range(len(raws))]
    for _ in range(5):
        t0 = time.perf_counter()
        for raw in raws:
            assert intake.receive(raw, source=MailSource.FILE).outcome == NotTaken.DUPLICATE
        rounds.append((time.perf_counter() - t0) / len(raws))
        t0 = time.perf_counter()
        for message_id in ids:  # the check alone: one probe of the unique index
            InboundMail.objects.filter(message_id=message_id).exists()
        probes.append((time.perf_counter() - t0) / len(ids))
        t0 = time.perf_counter()
        for pk in range(len(ids)):  # beside it, the same query by primary key: the floor
            InboundMail.objects.filter(pk=-pk).exists()
        floors.append((time.perf_counter() - t0) / len(ids))
    with CaptureQueriesContext(connection) as captured:
        intake.receive(raws[0], source=MailSource.FILE)
    with connection.cursor() as cursor:
        probe = InboundMail.objects.filter(message_id=ids[0]).order_by().values("pk")[:1]
        sql, params = probe.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    return {
        "us_per_message": round(statistics.median(rounds) * 1e6, 1),
        "us_per_index_probe": round(statistics.median(probes) * 1e6, 1),
        "us_per_primary_key_probe": round(statistics.median(floors) * 1e6, 1),
        "probe_over_primary_key": round(statistics.median(probes) / statistics.median(floors), 2),
        "sql_per_message": len(captured.captured_queries),
        "plan": plan,
    }


def run(args) -> dict:
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    data = workdir / "data"
    data.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KESU_ACCESS_LOG")}
    env.update(
        KESU_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="kesu.settings",
        KESU_HUEY_IMMEDIATE="0",
        DEFAULT_FROM_EMAIL="kefu@kesu.example",
    )
    if args.db == "postgres":
        url = os.environ.get("DATABASE_URL") or PG_DEFAULT_URL.replace(
            "kesu_bench", "kesu_bench_mail"
        )
        env["DATABASE_URL"] = url
        recreate_postgres(url)
    os.environ.clear()
    os.environ.update(env)
    out: dict = {"db": args.db, "count": args.count}
    out["prepare"] = prepare(env, workdir)
    import django

    django.setup()
    path = workdir / "customers.mbox"
    out["mailbox"] = dict(build_mailbox(path, args.count))
    box = mailbox.mbox(path, create=False)
    raws = [box.get_bytes(key) for key in box.iterkeys()]
    out["mailbox_mib"] = round(path.stat().st_size / 1048576, 1)
    log(f"{len(raws):,} messages ({out['mailbox_mib']} MiB): {out['mailbox']}")

    from kesu.mail import intake
    from kesu.mail.choices import MailSource

    floor = floor_parse(raws)
    outcomes: Counter = Counter()
    early = raws[:500]
    t0 = time.perf_counter()
    for i, raw in enumerate(raws):
        outcomes[intake.receive(raw, source=MailSource.FILE).outcome] += 1
        if i + 1 == 1000:
            taken = time.perf_counter() - t0
            out["duplicates_at_1000"] = redeliver(early)
            t0 = time.perf_counter() - taken  # the redeliveries are not part of the intake
        if (i + 1) % 2000 == 0:
            log(f"{i + 1:,} taken")
    seconds = time.perf_counter() - t0
    out["duplicates_at_all"] = redeliver(early)
    from kesu.mail.models import InboundMail

    out["stored_mails"] = InboundMail.objects.count()
    out["outcomes"] = dict(outcomes)
    out["intake"] = {
        "seconds": round(seconds, 1),
        "messages_per_s": round(len(raws) / seconds, 1),
        "floor_parse_only_per_s": round(len(raws) / floor, 1),
        "intake_over_parse_floor": round(floor / seconds, 3),
    }
    a, b = out["duplicates_at_1000"]["us_per_message"], out["duplicates_at_all"]["us_per_message"]
    out["probe_over_primary_key_at_1000_and_all"] = [
        out["duplicates_at_1000"]["probe_over_primary_key"],
        out["duplicates_at_all"]["probe_over_primary_key"],
    ]
    out["duplicate_check_ratio_all_over_1000"] = round(b / a, 2)
    pa = out["duplicates_at_1000"]["us_per_index_probe"]
    pb = out["duplicates_at_all"]["us_per_index_probe"]
    out["index_probe_ratio_all_over_1000"] = round(pb / pa, 2)
    log(
        f"{out['intake']['messages_per_s']} messages/s; duplicate check {a} → {b} µs "
        f"({out['duplicate_check_ratio_all_over_1000']}×)"
    )
    out["intake"]["last_run"] = beside_the_last(Path(args.history), args.db, out)
    out["seconds"] = round(time.perf_counter() - T0, 1)
    return out


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return ""
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT, check=False).returncode
    return done.stdout.strip() + ("+changes" if dirty else "")


def beside_the_last(history: Path, db: str, out: dict) -> dict | None:
    """The last run's rate on the same database and count (None the first time), and this
    run appended to the history."""
    runs = json.loads(history.read_text()) if history.exists() else []
    same = [r for r in runs if r["db"] == db and r["count"] == out["count"]]
    rate = out["intake"]["messages_per_s"]
    last = same[-1] if same else None
    if last is not None:
        last = {**last, "this_over_last": round(rate / last["messages_per_s"], 2)}
    runs.append(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _commit(),
            "db": db,
            "count": out["count"],
            "messages_per_s": rate,
        }
    )
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text(json.dumps(runs, indent=1))
    return last


def main(argv=None) -> int:
    args = options(argv)
    out = run(args)
    last = out["intake"]["last_run"]
    if last:
        log(
            f"{out['intake']['messages_per_s']} messages/s beside {last['messages_per_s']} "
            f"at the last run ({last['commit']}, {last['at']}): {last['this_over_last']}×"
        )
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
