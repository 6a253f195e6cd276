"""Small per-process caches for rows that are read on every request and rarely change.

Each entry lives `ttl` seconds; saving or deleting a row of a watched model clears the
entries that depend on it in this process, and other processes see the change within `ttl`.
"""

import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_entries: dict[str, tuple[float, object]] = {}
_MAX_ENTRIES = 5000


def memo(key: str, load: Callable[[], T], ttl: float = 30.0, keep_none: bool = True) -> T:
    """The cached value for `key`, loading it when missing or older than `ttl` seconds.

    With keep_none=False a None result is not kept (e.g. an unknown token is looked up again).
    """
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and now - hit[0] < ttl:
        return cast(T, hit[1])  # what `load` gave for this key
    value = load()
    if value is not None or keep_none:
        if len(_entries) >= _MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now, value)
    return value


def forget(prefix: str = "") -> None:
    for key in [k for k in _entries if k.startswith(prefix)]:
        _entries.pop(key, None)


def forget_on_change(prefix: str, *models) -> None:
    """Clear the entries starting with `prefix` whenever a row of one of `models` changes."""

    def clear(**_kwargs) -> None:
        forget(prefix)

    for model in models:
        post_save.connect(clear, sender=model, weak=False, dispatch_uid=f"memo:{prefix}:{model}")
        post_delete.connect(
            clear, sender=model, weak=False, dispatch_uid=f"memo-del:{prefix}:{model}"
        )
