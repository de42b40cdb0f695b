"""Filters for reports: percentages and decimals written the Indonesian way (85,7%)."""

from django import template

register = template.Library()


@register.filter
def percent_id(value) -> str:
    """``85.7`` → ``85,7%``; ``None`` (nothing to divide by) → ``—``."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


@register.filter
def decimal_id(value) -> str:
    """``12.5`` → ``12,5``; ``None`` → ``—``."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
