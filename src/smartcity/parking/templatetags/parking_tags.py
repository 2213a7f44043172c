from django import template

from smartcity.parking.staff import is_parking_staff

register = template.Library()


@register.filter(name="is_parking_staff")
def is_parking_staff_filter(user) -> bool:
    """For navigation only; the parking back-office views check access themselves."""
    return is_parking_staff(user)
