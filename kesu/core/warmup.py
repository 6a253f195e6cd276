"""Work a process does once when it starts, not inside its first request or sweep."""

from django.urls import get_resolver


def load_urls() -> None:
    """Import the URL configuration now: it brings in the whole API (about 0.6 s), which a
    web worker's first request would pay otherwise (gunicorn runs no system checks; `kesu
    worker`'s checks import it already)."""
    get_resolver().url_patterns  # noqa: B018 (the import is the point)
