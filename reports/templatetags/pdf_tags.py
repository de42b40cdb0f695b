"""Template filters for printables: Indonesian dates and times whatever the active language."""

from django import template
from django.utils.safestring import mark_safe

from ..pdf import _css_string, format_date_id, format_time_id, format_weekday_date_id

register = template.Library()


@register.filter
def date_id(value) -> str:
    """``{{ meeting.starts_at|date_id }}`` → ``1 Oktober 2024``."""
    return format_date_id(value)


@register.filter
def weekday_date_id(value) -> str:
    """``{{ meeting.starts_at|weekday_date_id }}`` → ``Selasa, 1 Oktober 2024``."""
    return format_weekday_date_id(value)


@register.filter
def time_id(value) -> str:
    """``{{ meeting.starts_at|time_id }}`` → ``09.00 WIB``."""
    return format_time_id(value)


@register.filter
def css_string(value) -> str:
    """A quoted CSS string, for ``content:`` in @page margin boxes."""
    return mark_safe(_css_string(str(value)))  # noqa: S308 (quotes and <> are escaped)
