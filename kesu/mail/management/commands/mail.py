"""`kesu mail fetch | smtpd | import-file`: e-mail intake from the command line."""

from __future__ import annotations

import mailbox
import signal
import threading
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kesu.mail import intake
from kesu.mail.choices import MailSource


class Command(BaseCommand):
    help = "E-mail intake: fetch from the IMAP mailbox, listen for SMTP, or read a mailbox file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        fetch = sub.add_parser("fetch", help="Take the unread mail of KESU_IMAP_URL (or --url).")
        fetch.add_argument("--url", default="", help="imaps://user:password@host/INBOX")
        fetch.add_argument("--limit", type=int, default=None)
        smtpd = sub.add_parser("smtpd", help="Accept forwarded mail over SMTP.")
        smtpd.add_argument("--host", default=None)
        smtpd.add_argument("--port", type=int, default=None)
        read = sub.add_parser("import-file", help="Take every message of an mbox file.")
        read.add_argument("path")

    def handle(self, *args, verb, **options):
        if verb == "fetch":
            self._fetch(options["url"] or settings.KESU_IMAP_URL, options["limit"])
        elif verb == "smtpd":
            self._smtpd(options["host"], options["port"])
        else:
            self._file(options["path"])

    def _fetch(self, url: str, limit: int | None) -> None:
        from kesu.mail import imap

        if not url:
            raise CommandError("No mailbox: set KESU_IMAP_URL or pass --url.")
        outcomes: Counter[str] = Counter()

        def handle(raw: bytes) -> None:
            outcomes[intake.receive(raw, source=MailSource.IMAP).outcome] += 1

        try:
            result = imap.fetch(url, handle, limit=limit)
        except (imap.MailboxError, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"fetched {result.fetched}: {_summary(outcomes)}")

    def _smtpd(self, host: str | None, port: int | None) -> None:
        from kesu.mail.smtpd import controller

        listener = controller(host, port)
        listener.start()
        self.stdout.write(f"listening for mail on {listener.hostname}:{listener.port}")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        listener.stop()

    def _file(self, path: str) -> None:
        outcomes: Counter[str] = Counter()
        box = mailbox.mbox(path, create=False)
        for key in box.iterkeys():  # the stored bytes, exactly as they were delivered
            outcomes[intake.receive(box.get_bytes(key), source=MailSource.FILE).outcome] += 1
        self.stdout.write(f"read {sum(outcomes.values())}: {_summary(outcomes)}")


def _summary(outcomes: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing new"
