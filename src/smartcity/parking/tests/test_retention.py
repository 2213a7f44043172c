"""Retention: ended parking applications, decision records and permits are anonymised after the period."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from smartcity.audit.models import AuditEvent
from smartcity.parking import gdpr, retention, services, statistics, tasks
from smartcity.parking.models import Application, DecisionRecord, Permit
from smartcity.parking.tests.test_services import apply

pytestmark = pytest.mark.django_db
YEARS_7 = timezone.now() + dt.timedelta(days=7 * 365)


@pytest.fixture
def issued(resident, django_capture_on_commit_callbacks):
    app = apply(resident)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p", subject_id=app.pk))
    app.refresh_from_db()
    return app


def test_active_permits_and_recent_records_are_kept(issued):
    assert retention.apply_retention(YEARS_7) == 0  # the permit is still active
    services.cancel_permit(issued.permit, actor=issued.applicant)
    assert retention.apply_retention(timezone.now() + dt.timedelta(days=365)) == 0  # within the period


def test_ended_permit_is_anonymised_after_the_period_and_statistics_stay(issued, settings):
    Permit.objects.filter(application=issued).update(status=Permit.Status.EXPIRED,
                                                     valid_until=dt.date.today() - dt.timedelta(days=1))
    assert retention.apply_retention(YEARS_7) == 1
    assert retention.apply_retention(YEARS_7) == 0  # idempotent
    issued.refresh_from_db()
    permit = Permit.objects.get(application=issued)
    record = DecisionRecord.objects.get(application=issued)
    assert issued.applicant is None and issued.plate == "" and issued.vin_suffix == "" and issued.anonymised_at
    assert permit.holder is None and permit.plate == "" and permit.zone.code == "GP" and permit.automated
    assert record.inputs == {} and record.reasons == "" and record.outcome == "issue" and record.legal_basis
    assert issued.reference and issued.fee_cents == 2500 and issued.zone.code == "GP"
    assert AuditEvent.objects.filter(action="parking.application.anonymised").count() == 1
    rows = statistics.monthly_zone_statistics(today=dt.date.today() + dt.timedelta(days=62))
    assert sum(row["permits_issued"] or 0 for row in rows) + sum(row["suppressed"] for row in rows) >= 1


def test_rejected_and_withdrawn_applications_and_stale_drafts(resident, settings):
    settings.PARKING_RETENTION_DAYS = 30
    withdrawn = apply(resident, special_circumstances="Pflege")
    services.withdraw(withdrawn, actor=resident)
    draft = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    later = timezone.now() + dt.timedelta(days=31)
    assert tasks.apply_retention.run() == 0  # not yet
    assert retention.apply_retention(later) == 2
    withdrawn.refresh_from_db()
    assert withdrawn.special_circumstances == "" and withdrawn.applicant is None
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert gdpr.export(resident)["antraege"] == []


def test_gdpr_notice_names_the_period(issued, settings):
    settings.PARKING_RETENTION_DAYS = 10 * 365
    notes = gdpr.erase(issued.applicant)
    assert any("10 Jahre nach ihrem Ende" in note for note in notes)
