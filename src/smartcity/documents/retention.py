"""How long documents are kept.

Documents of a case are kept for their kind's period after the case is closed (Aufbewahrungsfristen of the
city's records schedule; the defaults follow common municipal practice: decisions 10 years, everything else
6 years). Uploads never attached to a case (abandoned drafts) go after ``DOCUMENT_ORPHAN_DAYS``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from .models import Document

YEAR = 365
RETENTION_DAYS: dict[str, int] = {
    Document.Kind.DECISION: 10 * YEAR,
    Document.Kind.PERMIT: 6 * YEAR,
    Document.Kind.RECEIPT: 6 * YEAR,
    Document.Kind.UPLOAD: 6 * YEAR,
    Document.Kind.ATTACHMENT: 6 * YEAR,
    Document.Kind.LETTER: 6 * YEAR,
}
DEFAULT_DAYS = 6 * YEAR


def retention_days(kind: str) -> int:
    return RETENTION_DAYS.get(kind, DEFAULT_DAYS)


def expired(now: datetime) -> QuerySet:
    """Documents whose retention period has ended at ``now``."""
    condition = Q(case__isnull=True, created_at__lt=now - timedelta(days=settings.DOCUMENT_ORPHAN_DAYS))
    for kind, days in RETENTION_DAYS.items():
        condition |= Q(kind=kind, case__closed_at__lt=now - timedelta(days=days))
    condition |= ~Q(kind__in=list(RETENTION_DAYS)) & Q(case__closed_at__lt=now - timedelta(days=DEFAULT_DAYS))
    return Document.objects.filter(condition)
