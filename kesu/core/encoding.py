"""How the API writes instants: local time in the installation's zone, with its offset.

`2026-11-21T09:30:00+08:00` in Asia/Shanghai: the hour people there read, unambiguous for
programs (the offset is always written), and the form of the examples in the docs and in the
API's own error messages. Fractions of a second are written, in milliseconds, only when there
are any.

Instants Kesu keeps as text inside stored JSON (a timeline event's `data`, a plan's measures)
are written the same way when they are read out (`local_instants`), but only under the keys
the caller names as holding instants: the same JSON holds people's words (a measure's
description, a responsible person, a subject), which are never read as dates, however much
they look like one. A value under such a key that does not parse is passed on as it is.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

# The instants Kesu takes: those every zone can write. Python's dates end with the years 1 and
# 9999, and an instant within a day of either end may have no local time (0001-01-01T00:00Z is
# the year 0 west of Greenwich). Both databases hold every one of them.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def in_range(value: datetime | date) -> bool:
    """Whether an aware instant, or a day (its local start and end), is one Kesu takes."""
    if not isinstance(value, datetime):
        return EARLIEST.date() <= value <= LATEST.date()
    try:
        return EARLIEST <= value.astimezone(UTC) <= LATEST
    except OverflowError:
        return False


def local_instant(value: datetime) -> str:
    local = timezone.localtime(value)
    return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")


def local_instants(data: Mapping[str, Any], keys: frozenset[str]) -> Mapping[str, Any]:
    """`data` (a parsed JSON object) with the instants under `keys` written as above; every
    other value, and one under `keys` that is not an aware instant, as it is."""
    if keys.isdisjoint(data):
        return data
    return {key: _local_text(value) if key in keys else value for key, value in data.items()}


def _local_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        at = datetime.fromisoformat(value)
        return local_instant(at) if timezone.is_aware(at) else value
    except (ValueError, OverflowError):  # not a date, or none the local zone can write
        return value


class LocalTimeEncoder(NinjaJSONEncoder):
    """The API's JSON encoder: aware datetimes as `local_instant` writes them, in the zone
    current when the answer is rendered (looked up once per answer, not per instant)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone = timezone.get_current_timezone()

    def default(self, o):
        if isinstance(o, datetime) and o.tzinfo is not None:
            local = o.astimezone(self._zone)
            return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")
        return super().default(o)
