"""How the API writes instants: local time in the installation's zone, with its offset.

`2026-11-21T09:30:00+08:00` in Asia/Shanghai: the hour people there read, unambiguous for
programs (the offset is always written), and the form of the examples in the docs and in the
API's own error messages. Fractions of a second are written, in milliseconds, only when there
are any. Instants kept as text inside stored JSON (a timeline event's `data`, a plan's
measures) are written the same way when they are read out.
"""

import re
from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def local_instant(value: datetime) -> str:
    local = timezone.localtime(value)
    return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")


def local_instants(value: Any) -> Any:
    """`value` (parsed JSON) with every aware instant written as text rewritten as above."""
    if isinstance(value, str):
        if _INSTANT.fullmatch(value):
            return local_instant(datetime.fromisoformat(value))
        return value
    if isinstance(value, dict):
        return {key: local_instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [local_instants(item) for item in value]
    return value


class LocalTimeEncoder(NinjaJSONEncoder):
    """The API's JSON encoder: aware datetimes as `local_instant` writes them."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return local_instant(o)
        return super().default(o)
