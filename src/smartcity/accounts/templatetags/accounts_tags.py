from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def kind(value: object) -> str:
    """"dict", "list" or "scalar": lets the GDPR page render nested export data."""
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple):
        return "list"
    return "scalar"


@register.filter
def minutes(value: timedelta | None) -> int:
    return max(1, round(value.total_seconds() / 60)) if value else 0
