"""Pages for what went wrong, in the product's look and language: an address that leads
nowhere (404) and a form whose CSRF token no longer holds (403: the person logged in again,
perhaps in another tab, or the page was open for a long time). The customer's pages (the public
form, the private link, "my complaints") get the customer's look; all others the workspace's."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kesu.core.middleware import expired_words, htmx_page, login_url_for

PORTAL_PREFIXES = ("/complain/", "/t/", "/my/")


def customer_facing(request: HttpRequest) -> bool:
    return request.path_info.startswith(PORTAL_PREFIXES)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    template = "portal/404.html" if customer_facing(request) else "core/404.html"
    return render(request, template, {"path": request.path}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a token that no longer holds: nothing was saved. The page says so and
    leads back to the form, where `core/forms.js` fills in again what was typed."""
    if request.headers.get("HX-Request") == "true":
        answer = HttpResponse(status=403)
        page = htmx_page(request)
        if request.user.is_authenticated:
            messages.warning(request, _("The page was out of date and has been reloaded."))
            answer["HX-Redirect"] = page
        else:
            messages.warning(request, expired_words(sent=False), extra_tags="kept")
            answer["HX-Redirect"] = login_url_for(page)
        return answer
    base = "portal/base.html" if customer_facing(request) else "workspace/base.html"
    context = {"base": base, "back": _back(request)}
    return render(request, "core/csrf.html", context, status=403)


def _back(request: HttpRequest) -> str:
    """The page of the form: where the browser says it came from, if it is ours."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.get_full_path()
