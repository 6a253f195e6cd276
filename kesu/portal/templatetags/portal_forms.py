"""Helpers for the customer's forms."""

from django import template

register = template.Library()


@register.filter
def lost_files(field) -> list[str]:
    """The names of the files chosen in a file field of a form that came back with errors: a
    browser cannot choose them again by itself, so the page names them."""
    form = field.form
    if not form.is_bound or not form.errors or not hasattr(form.files, "getlist"):
        return []
    return [f.name for f in form.files.getlist(field.html_name)]
