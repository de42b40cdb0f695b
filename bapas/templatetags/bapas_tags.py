from django import template

from ..roles import can as role_can

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (keeps filters when paging)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def can(user, capability: str) -> bool:
    return role_can(user, capability)
