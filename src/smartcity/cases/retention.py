"""Retention: closed cases are anonymised once their case type's retention period has passed.

What goes: the application data, the link to the applicant and their name, messages, internal notes,
mailbox entries, free-text comments in the history, and every document (files included).
What stays: reference, case type, department, status history (codes and times), received/closed dates and
outcome, so the anonymous process statistics (dashboard, open data) stay correct.
The audit log is kept as it is: it is append-only and hash-chained and has its own retention rule.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from smartcity.audit import services as audit
from smartcity.documents.models import Document
from smartcity.documents.services import cleanup, purge

from .models import Case, CaseType


def due_for_retention(now: datetime | None = None) -> QuerySet[Case]:
    """Closed, not yet anonymised cases past their case type's retention period (one condition per type)."""
    now = now or timezone.now()
    expired = Q(pk__in=[])
    for type_id, days in CaseType.objects.values_list("pk", "retention_days"):
        expired |= Q(case_type_id=type_id, closed_at__lte=now - timedelta(days=days))
    return Case.objects.filter(expired, closed_at__isnull=False, anonymised_at__isnull=True)


def anonymise(case: Case) -> None:
    with transaction.atomic():
        deleted = purge(Document.objects.filter(case=case), reason="case retention")
        case.messages.all().delete()
        case.notes.all().delete()
        case.notifications.all().delete()
        case.status_changes.update(comment="", citizen_text="", actor=None, actor_label="")
        Case.objects.filter(pk=case.pk).update(applicant=None, applicant_name="", assignee=None, data={},
                                               title=case.case_type.name, decision_record={},
                                               anonymised_at=timezone.now())
        audit.record("system:retention", "case.anonymised", case, reference=case.reference,
                     documents_deleted=deleted)


def apply_retention(now: datetime | None = None, batch: int = 500) -> int:
    """Anonymise up to ``batch`` expired cases; the periodic job simply runs again for the rest."""
    cases = list(due_for_retention(now).select_related("case_type")[:batch])
    for case in cases:
        anonymise(case)
    cleanup(now)  # documents past their own retention period (e.g. abandoned drafts' uploads)
    return len(cases)
