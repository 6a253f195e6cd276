"""The local SMTP listener a company mail server forwards customer mail to
(`kesu mail smtpd`). Built on aiosmtpd; each message is handed to `intake.receive` in a
worker thread (the ORM is synchronous), and the sending server hears 250 only once the
message is stored: a crash before that makes it deliver again, and the Message-ID check
keeps the second delivery from counting twice.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections

from kesu.mail import intake
from kesu.mail.choices import MailSource

logger = logging.getLogger(__name__)


class IntakeHandler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, _receive, raw)
        except Exception:
            logger.exception("mail from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Could not store the message; please try again later"
        return f"250 2.0.0 Message accepted ({result.outcome})"


def _receive(raw: bytes) -> intake.Received:
    close_old_connections()
    try:
        return intake.receive(raw, source=MailSource.SMTP)
    finally:
        close_old_connections()


def controller(host: str | None = None, port: int | None = None) -> Controller:
    """A listener on `host:port` (KESU_SMTPD_HOST/PORT by default); call .start()/.stop()."""
    return Controller(
        IntakeHandler(),
        hostname=host or settings.KESU_SMTPD_HOST,
        port=settings.KESU_SMTPD_PORT if port is None else port,
        data_size_limit=settings.KESU_MAIL_MAX_BYTES,
        decode_data=False,
        ready_timeout=10,
    )
