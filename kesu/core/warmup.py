"""Work a process does once when it starts, not inside its first request or sweep."""

from django.urls import get_resolver


def load_urls() -> None:
    """Import the URL configuration now: it brings in the whole API (about 0.6 s). A web
    worker's first request would pay it otherwise, and the background worker's first sweep
    too (notifications link to complaint pages), while it holds the rows it sweeps."""
    get_resolver().url_patterns  # noqa: B018 (the import is the point)
