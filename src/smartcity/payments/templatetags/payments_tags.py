from django import template

from smartcity.payments.access import is_cash_office as _is_cash_office

register = template.Library()


@register.filter
def is_cash_office(user) -> bool:
    """For navigation only; the Kasse views check access themselves."""
    return _is_cash_office(user)
