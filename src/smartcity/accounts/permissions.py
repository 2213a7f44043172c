"""Who may see and act on what. The one place for department scoping."""

from django.db.models import QuerySet

from .models import StaffRole, User

CASE_READER_ROLES = (StaffRole.Role.CASEWORKER, StaffRole.Role.TEAMLEAD)


def case_departments(user: User) -> QuerySet:
    """IDs of departments whose case contents this user may read (admins alone may not)."""
    if not user.is_authenticated:
        return StaffRole.objects.none().values_list("department_id", flat=True)
    return StaffRole.objects.filter(user=user, role__in=CASE_READER_ROLES).values_list("department_id", flat=True)


def is_teamlead(user: User, department_id: int) -> bool:
    return StaffRole.objects.filter(user=user, department_id=department_id, role=StaffRole.Role.TEAMLEAD).exists()
