"""The views htmx calls for a fragment of a page, marked where they are defined.

`@htmx_endpoint(...)` records on the view how a page calls it (the method, and an example query),
and `htmx_endpoints()` finds every marked view in the URLconf: the expired-session tests take
their list from there, so a new fragment view is covered by marking it. What an expired session
gets from any htmx request is `kesu.core.middleware.SessionExpiryMiddleware`'s to answer.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` says whether htmx sent
    it (for the type checker; the middleware sets it on every request)."""

    htmx: HtmxDetails


@dataclass(frozen=True)
class HtmxEndpoint:
    name: str  # the URL's name, namespaced ("portal:…") where it has one
    method: str  # GET or POST
    query: str  # an example query string the page sends ("" for none)
    params: tuple[str, ...]  # the path's parameters (the test supplies a real complaint)
    expired: str  # what an expired session gets: "login" (HX-Redirect) or "notice" (a poll)


LOGIN = "login"  # the middleware sends the page to the login (a panel, "load more", a form)
NOTICE = "notice"  # the view says in place that the session ended and stops (a poll)


def htmx_endpoint(method: str = "GET", query: str = "", expired: str = LOGIN) -> Callable:
    """Mark a view as answering htmx requests with a fragment. A poll, which the page sends on
    its own while the person types, takes `expired=NOTICE`: it answers an expired session with a
    notice in place rather than taking the person away from what they typed."""
    if expired not in (LOGIN, NOTICE):
        raise ValueError(f"expired must be {LOGIN!r} or {NOTICE!r}")

    def mark(view: Callable) -> Callable:
        view.kesu_htmx = (method.upper(), query, expired)  # type: ignore[attr-defined]  # a mark
        return view

    return mark


def htmx_endpoints() -> list[HtmxEndpoint]:
    """Every marked view reachable through the URLconf."""
    return sorted(_walk(get_resolver().url_patterns, ""), key=lambda e: e.name)


def _walk(patterns, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            mark = getattr(entry.callback, "kesu_htmx", None)
            if mark is not None:
                params = tuple(entry.pattern.converters)
                yield HtmxEndpoint(f"{namespace}{entry.name}", mark[0], mark[1], params, mark[2])
