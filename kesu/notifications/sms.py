"""SMS through a pluggable provider.

`KESU_SMS_BACKEND` names a class (dotted path) whose instances have
`send(phone: str, text: str) -> str`, returning the provider's message id and raising on
failure (the outbox records the error and retries). A provider's SDK or HTTP API goes into
such a class; Kesu ships one that only writes to the log, and one in memory for tests.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> str: ...


class LogSmsBackend:
    """Writes the message to the log instead of sending it (the default)."""

    def send(self, phone: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex[:12]}"
        logger.warning("SMS %s to %s (not sent: log backend): %s", message_id, phone, text)
        return message_id


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    message_id: str


class MemorySmsBackend:
    """Keeps messages in `MemorySmsBackend.outbox` (tests). Put exceptions into `failures`
    to make the next sends raise them."""

    outbox: ClassVar[list[SentSms]] = []
    failures: ClassVar[list[Exception]] = []

    def send(self, phone: str, text: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        message_id = f"mem-{len(self.outbox) + 1}"
        self.outbox.append(SentSms(phone, text, message_id))
        return message_id

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()
        cls.failures.clear()


def backend() -> SmsBackend:
    return import_string(settings.KESU_SMS_BACKEND)()
