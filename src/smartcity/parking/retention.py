"""Retention of resident parking data (GDPR Art. 5(1)(e)): nothing personal is kept longer than needed.

``PARKING_RETENTION_DAYS`` (default 6 years) after an application ended — rejected or withdrawn, or issued and
its permit no longer valid (expired, returned, replaced) — the application, its decision records and its permit
are anonymised: applicant/holder link, plates, VIN fragment, free text, hearing statement, register inputs and
the reasons (they quote the address) go; reference, kind, channel, zone, statuses, dates, fee, outcome, ruleset
and legal basis stay for the anonymous statistics (open data) and the proof that and how it was decided.
Unsubmitted drafts go after the same period. The audit log is kept as it is (append-only, own rule).
An application whose follow-up permit is still valid is not touched.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from smartcity.audit import services as audit

from .models import Application, DecisionRecord, Permit

Status = Application.Status
ENDED = (Permit.Status.EXPIRED, Permit.Status.REVOKED, Permit.Status.REPLACED)


def due_for_retention(now: datetime | None = None) -> QuerySet[Application]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PARKING_RETENTION_DAYS)
    closed = Q(status__in=(Status.REJECTED, Status.WITHDRAWN), updated_at__lt=cutoff)
    ended = Q(status=Status.ISSUED, permit__status__in=ENDED, permit__valid_until__lt=cutoff.date()) & (
        Q(permit__revoked_at__isnull=True) | Q(permit__revoked_at__lt=cutoff))
    return Application.objects.filter(closed | ended, anonymised_at__isnull=True)


def stale_drafts(now: datetime | None = None) -> QuerySet[Application]:
    cutoff = (now or timezone.now()) - timedelta(days=settings.PARKING_RETENTION_DAYS)
    return Application.objects.filter(status=Status.DRAFT, submitted_at__isnull=True, created_at__lt=cutoff)


def anonymise(application: Application) -> None:
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            applicant=None, plate="", second_plate="", vin_suffix="", special_circumstances="",
            usage_document_id=None, address=None, hearing_statement="", register_error="", payment_id="",
            anonymised_at=timezone.now())
        DecisionRecord.objects.filter(application=application).update(inputs={}, checks=[], reasons="",
                                                                     decided_by=None)
        Permit.objects.filter(application=application).update(holder=None, plate="", second_plate="")
        audit.record("system:retention", "parking.application.anonymised", application,
                     reference=application.reference)


def apply_retention(now: datetime | None = None, batch: int = 500) -> int:
    """Anonymise up to ``batch`` expired applications and delete stale drafts; the daily job runs again for more."""
    applications = list(due_for_retention(now).only("pk", "reference")[:batch])
    for application in applications:
        anonymise(application)
    drafts, _ = stale_drafts(now).delete()
    return len(applications) + drafts
