"""The time the domain sees.

In production it is the real clock. Demo data, and tests that need it, can run a block of
actions "as of" an earlier instant, so a timeline reads as it would have happened. The clock
only moves time: whether anyone is told is the actions' business (`actions.unannounced`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time

from django.utils import timezone

_as_of: ContextVar[datetime | None] = ContextVar("kesu_clock_as_of", default=None)


def now() -> datetime:
    """Now, to the second: sub-second precision says nothing about a complaint, and every
    stored instant and index entry is shorter without it."""
    return _as_of.get() or timezone.now().replace(microsecond=0)


@contextmanager
def as_of(instant: datetime) -> Iterator[None]:
    """Run the block as if the clock showed `instant` (an aware datetime)."""
    if timezone.is_naive(instant):
        raise ValueError("the clock takes aware datetimes only")
    token = _as_of.set(instant)
    try:
        yield
    finally:
        _as_of.reset(token)


def local_midnight(day: date) -> datetime:
    """The instant `day` begins in the company's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time(0)))
