"""pydantic's errors in our words: one table, read by the API (kesu/api.py) and by the
workspace's forms (kesu/workspace/action_forms.py), so the same mistake reads the same.

A program calling the API is also told the format it should send (a date such as
2026-11-21, the allowed values); a person in a form has a widget for that, and is told what
to do in the form's words. Only those few kinds differ, in FOR_PROGRAMS."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

# pydantic's error types (a message with a limit takes it from the error's `ctx`)
MESSAGES = {
    "missing": _("This field is required."),
    "extra_forbidden": _("Unknown field: check its name."),
    "string_type": _("Enter text."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "enum": _("Choose one of the options."),
    "literal_error": _("Choose one of the options."),
    "datetime_from_date_parsing": _("Enter a date and time."),
    "datetime_parsing": _("Enter a date and time."),
    "datetime_type": _("Enter a date and time."),
    "date_parsing": _("Enter a date."),
    "date_from_datetime_parsing": _("Enter a date."),
    "date_type": _("Enter a date."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "finite_number": _("Enter a number."),
    "decimal_max_digits": _("The number is too large."),
    "decimal_whole_digits": _("The number is too large."),
    "decimal_max_places": _("Enter at most %(decimal_places)s decimal places."),
    "greater_than_equal": _("Enter a number of at least %(ge)s."),
    "greater_than": _("Enter a number greater than %(gt)s."),
    "less_than_equal": _("Enter a number of at most %(le)s."),
    "less_than": _("Enter a number less than %(lt)s."),
    "too_short": _("Fill in at least one."),
    "too_long": _("Enter at most %(max_length)s."),
    "bool_type": _("Choose yes or no."),
    "bool_parsing": _("Choose yes or no."),
}

# what a program is told instead: the format to send
FOR_PROGRAMS = {
    **MESSAGES,
    "enum": _("Not one of the allowed values: %(expected)s."),
    "literal_error": _("Not one of the allowed values: %(expected)s."),
    "datetime_from_date_parsing": _("Give a date and time such as 2026-11-21T09:30:00+08:00."),
    "datetime_parsing": _("Give a date and time such as 2026-11-21T09:30:00+08:00."),
    "datetime_type": _("Give a date and time such as 2026-11-21T09:30:00+08:00."),
    "date_parsing": _("Give a date such as 2026-11-21."),
    "date_from_datetime_parsing": _("Give a date such as 2026-11-21."),
    "date_type": _("Give a date such as 2026-11-21."),
    "bool_parsing": _("Give true or false."),
    "bool_type": _("Give true or false."),
    "list_type": _("Give a list."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "model_type": _("Give an object."),
    "dict_type": _("Give an object."),
}

NOT_VALID = _("This value is not valid.")


def error_message(item: Mapping[str, Any], *, for_program: bool = False) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in the user's language.
    A kind we have no words for says the value is not valid, rather than speak pydantic's
    English to a person; a program gets pydantic's text then, which names the rule."""
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    table = FOR_PROGRAMS if for_program else MESSAGES
    if kind == "value_error":  # our own validators' words, translated when raised
        return (
            str(ctx["error"]) if "error" in ctx else str(item["msg"]).removeprefix("Value error, ")
        )
    nothing = "input" in item and item["input"] is None  # the API's errors carry no input
    if kind == "none_required" or (kind.endswith("_type") and nothing):
        return str(MESSAGES["missing"])
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return str(MESSAGES["missing"])  # blank text the action cannot do without
    template = table.get(kind)
    if template is not None:
        try:
            return str(template) % {k: str(v) for k, v in ctx.items()}
        except (KeyError, TypeError, ValueError):
            pass
    return str(item.get("msg", "")) if for_program else str(NOT_VALID)
