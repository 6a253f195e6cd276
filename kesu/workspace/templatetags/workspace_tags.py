"""Small template helpers for the workspace's hand-laid forms."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kesu.core import phones
from kesu.workspace.action_forms import error_id
from kesu.workspace.register_form import LABELS, MAX_LENGTHS
from kesu.workspace.scorecards import may_see_scorecards as sees_scorecards
from kesu.workspace.statistics import may_see_statistics as sees_statistics

register = template.Library()


@register.filter
def phone(stored: str) -> str:
    """A stored phone number as staff read it (139 0000 0009, 010 1234 5678, +44 …)."""
    return phones.display(stored or "")


def _error(context, name: str):
    message = (context.get("errors") or {}).get(name)
    if not message:
        return ""
    return format_html(
        '<p class="error field-error" id="{}" data-field="{}">{}</p>', error_id(name), name, message
    )


@register.simple_tag(takes_context=True)
def field_error(context, name: str):
    return _error(context, name)


@register.simple_tag
def label_of(name: str) -> str:
    """A registration input's label, for one laid out by hand (register_form.LABELS)."""
    return str(LABELS[name])


@register.simple_tag
def required_mark():
    """The star of a field that must be filled in (its input says so with aria-required)."""
    return format_html(' <abbr class="req" title="{}" aria-hidden="true">*</abbr>', _("required"))


@register.simple_tag(takes_context=True)
def field(context, name: str, label=None, kind: str = "text", required: bool = False, **attrs):
    """A labelled input named `name`, holding the posted value `v[name]`, and its error, in
    one cell of the form's grid (the error stays under its own input); a registration input
    gets its text limit as `maxlength`, and its label from register_form.LABELS (the one the
    summary of errors names it by) unless another is given."""
    if label is None:
        label = LABELS[name]
    if "maxlength" not in attrs and (limit := MAX_LENGTHS.get(name)):
        attrs["maxlength"] = limit
    if required:
        attrs["aria-required"] = "true"
    values = context.get("v") or {}
    value = values.get(name, "") if hasattr(values, "get") else ""
    error = _error(context, name)
    if error:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = error_id(name)
    extra = format_html_join(" ", '{}="{}"', ((k.replace("_", "-"), v) for k, v in attrs.items()))
    mark = required_mark() if required else ""
    if kind == "checkbox":
        checked = mark_safe(" checked") if value else ""
        control = format_html(
            '<label class="check"><input type="checkbox" name="{}"{} {}> {}</label>',
            name,
            checked,
            extra,
            label,
        )
    elif kind == "textarea":
        control = format_html(
            '<label>{}{}<textarea name="{}" rows="3" {}>{}</textarea></label>',
            label,
            mark,
            name,
            extra,
            value,
        )
    else:
        control = format_html(
            '<label>{}{}<input type="{}" name="{}" value="{}" {}></label>',
            label,
            mark,
            kind,
            name,
            value,
            extra,
        )
    wide = " wide" if kind == "textarea" else ""
    return format_html('<div class="cell{}" data-cell="{}">{}{}</div>', wide, name, control, error)


@register.filter
def may_register(user) -> bool:
    from kesu.complaints.actions import may_register as allowed

    return allowed(user)


@register.filter
def may_see_statistics(user) -> bool:
    """Whether the navigation offers the statistics section (kesu.workspace.statistics)."""
    return sees_statistics(user)


@register.filter
def may_see_scorecards(user) -> bool:
    """Whether the navigation offers 考核 (kesu.workspace.scorecards)."""
    return sees_scorecards(user)
