"""Who is asking: the client's network address, seen through trusted reverse proxies.

Behind a proxy every request comes from the proxy's address. `KESU_TRUSTED_PROXIES` names
the proxies; the client is then the last address of X-Forwarded-For that is not one of
them (an address a client wrote into the header itself comes before that and is ignored).
Used by the public form's limits and by the failed-login lockout.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(meta: dict) -> str:
    remote = meta.get("REMOTE_ADDR", "")
    trusted = set(settings.KESU_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def client_ip(request: HttpRequest) -> str:
    """For django-axes (AXES_CLIENT_IP_CALLABLE)."""
    return client_address(request.META)
