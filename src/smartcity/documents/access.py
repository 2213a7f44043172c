"""Who may download a document: its owner, or verified staff of the department handling its case."""

from smartcity.accounts.models import User
from smartcity.accounts.permissions import case_departments

from .models import Document


def reader_role(user: User, document: Document) -> str | None:
    """"owner", "staff" or None (no access)."""
    if not user.is_authenticated:
        return None
    if document.owner_id == user.pk:
        return "owner"
    if document.case_id and user.is_verified():
        department_id = document.case.department_id
        if department_id in set(case_departments(user)):
            return "staff"
    return None
