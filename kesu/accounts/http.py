"""The request of a view that someone must be logged in to see, as the type checker sees it."""

from kesu.accounts.models import User
from kesu.core.htmx import HtmxHttpRequest


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind `login_required`, or an API request its authentication let through
    (`kesu.api`: a bearer token or the login session): `request.user` is the account, never
    the anonymous user."""

    user: User
