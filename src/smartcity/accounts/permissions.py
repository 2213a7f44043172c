"""Who may see and act on what. The one place for department scoping."""

from .models import StaffRole, User

CASE_READER_ROLES = (StaffRole.Role.CASEWORKER, StaffRole.Role.TEAMLEAD)


def case_departments(user: User) -> list[int]:
    """IDs of departments whose case contents this user may read (admins alone may not)."""
    if not user.is_authenticated:
        return []
    return sorted({department for department, _code, role in user.role_list if role in CASE_READER_ROLES})


def is_teamlead(user: User, department_id: int) -> bool:
    return user.is_authenticated and any(department == department_id and role == StaffRole.Role.TEAMLEAD
               for department, _code, role in user.role_list)
