"""How wording becomes text, with nothing but Django: notification templates on Django's
template engine, reply templates by plain placeholder substitution.

The models check an administrator's wording with these when it is saved (`clean`), so this
module imports no model and nothing that imports one: `templates` and `replies` build on it,
and `models` needs neither of them.
"""

from __future__ import annotations

import functools
import re

from django.template import Engine, Template, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

# ------------------------------------------------------------------------------------------
# notification templates (`kesu.notifications.templates`)

# Plain text (e-mail, SMS, chat): nothing is HTML-escaped. The context holds strings only.
_ENGINE = Engine(autoescape=False)


@functools.lru_cache(maxsize=512)
def compiled(source: str) -> Template:
    return _ENGINE.from_string(source)


def template_error(source: str) -> str | None:
    """Why `source` is not a usable template, or None (for the admin form)."""
    try:
        compiled(source)
    except TemplateSyntaxError as error:
        return str(error)
    return None


# ------------------------------------------------------------------------------------------
# reply templates (`kesu.notifications.replies`)

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")

# the fields a reply may use, and what each holds (shown to the admin)
FIELDS = {
    "number": _("the complaint's number"),
    "title": _("its title"),
    "customer": _("the customer's name (empty when anonymous)"),
    "category": _("its category"),
    "owner": _("the owner's name"),
    "department": _("the responsible department"),
    "promised": _("the promised date and time"),
    "registered": _("when it was registered"),
}


def unknown_placeholders(body: str) -> list[str]:
    """The placeholders of `body` that are not among `FIELDS` (for the admin's form)."""
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in FIELDS})


def fill(body: str, fields: dict[str, str]) -> str:
    """`body` with each known placeholder replaced by its value, literally; others are kept."""
    return PLACEHOLDER.sub(lambda m: fields.get(m.group(1), m.group(0)), body)
