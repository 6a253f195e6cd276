"""Small template helpers for the workspace's hand-laid forms."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kesu.core import phones
from kesu.workspace.register_form import MAX_LENGTHS

register = template.Library()


@register.filter
def phone(stored: str) -> str:
    """A stored phone number as staff read it (139 0000 0009, 010 1234 5678, +44 …)."""
    return phones.display(stored or "")


def _error(context, name: str):
    message = (context.get("errors") or {}).get(name)
    if not message:
        return ""
    return format_html('<p class="error field-error" data-field="{}">{}</p>', name, message)


@register.simple_tag(takes_context=True)
def field_error(context, name: str):
    return _error(context, name)


@register.simple_tag(takes_context=True)
def field(context, name: str, label, kind: str = "text", required: bool = False, **attrs):
    """A labelled input named `name`, holding the posted value `v[name]`, and its error;
    a registration input gets its text limit as `maxlength`."""
    if "maxlength" not in attrs and (limit := MAX_LENGTHS.get(name)):
        attrs["maxlength"] = limit
    values = context.get("v") or {}
    value = values.get(name, "") if hasattr(values, "get") else ""
    extra = format_html_join(" ", '{}="{}"', ((k.replace("_", "-"), v) for k, v in attrs.items()))
    mark = mark_safe(' <abbr title="required">*</abbr>') if required else ""
    error = _error(context, name)
    invalid = mark_safe(' aria-invalid="true"') if error else ""
    if kind == "checkbox":
        checked = mark_safe(" checked") if value else ""
        return format_html(
            '<label class="check"><input type="checkbox" name="{}"{}{} {}> {}</label>{}',
            name,
            checked,
            invalid,
            extra,
            label,
            error,
        )
    if kind == "textarea":
        return format_html(
            '<label class="wide">{}{}<textarea name="{}" rows="3"{} {}>{}</textarea></label>{}',
            label,
            mark,
            name,
            invalid,
            extra,
            value,
            error,
        )
    return format_html(
        '<label>{}{}<input type="{}" name="{}" value="{}"{} {}></label>{}',
        label,
        mark,
        kind,
        name,
        value,
        invalid,
        extra,
        error,
    )


@register.filter
def may_register(user) -> bool:
    from kesu.complaints.actions import may_register as allowed

    return allowed(user)
