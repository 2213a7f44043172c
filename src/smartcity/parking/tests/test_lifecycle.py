import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from smartcity.notifications.models import Notification
from smartcity.parking import services
from smartcity.parking.models import Application, Permit, SimulatedResident
from smartcity.parking.testing import make_address, make_zone, register_vehicle

pytestmark = pytest.mark.django_db
Kind = Application.Kind


@pytest.fixture
def permit(resident, django_capture_on_commit_callbacks):
    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=24)
    services.submit(app)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p", subject_id=app.pk))
    return Permit.objects.get(application=app)


def follow_up(permit, capture, kind, **fields):
    values = {"plate": permit.plate, "vin_suffix": "4711", "months": 12}
    values.update(fields)
    app = services.create_application(permit.holder, kind=kind, replaces=permit, **values)
    services.submit(app)
    app.refresh_from_db()
    if app.status == Application.Status.AWAITING_PAYMENT:
        with capture(execute=True):
            services.record_counter_payment(app, actor="test")
    app.refresh_from_db()
    permit.refresh_from_db()
    return app, Permit.objects.filter(application=app).first()


def test_renewal_opens_six_weeks_before_expiry_and_credits_remaining_time(permit, django_capture_on_commit_callbacks):
    with pytest.raises(services.ParkingError, match="Verlängerung ist ab"):
        services.create_application(permit.holder, kind=Kind.RENEWAL, replaces=permit, plate=permit.plate,
                                    vin_suffix="4711", months=12)
    Permit.objects.filter(pk=permit.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=30))
    permit.refresh_from_db()
    app, new = follow_up(permit, django_capture_on_commit_callbacks, Kind.RENEWAL)
    assert new.valid_from == timezone.localdate()
    assert new.valid_until == permit.valid_until.replace(year=permit.valid_until.year + 1)
    assert permit.status == Permit.Status.REPLACED and new.replaces == permit
    assert Permit.objects.filter(holder=permit.holder, status="active").count() == 1
    assert app.fee_cents == 2500


def test_plate_change_checks_the_new_vehicle_and_revokes_the_old_permit(permit, django_capture_on_commit_callbacks):
    register_vehicle("D-EM 5678", permit.holder, vin="WVWZZZ1KZ8W009876")
    app, bad = follow_up(permit, django_capture_on_commit_callbacks, Kind.PLATE_CHANGE, plate="D-EM 5678",
                         vin_suffix="1111")
    assert bad is None and app.status == Application.Status.DRAFT and permit.status == Permit.Status.ACTIVE
    app, new = follow_up(permit, django_capture_on_commit_callbacks, Kind.PLATE_CHANGE, plate="D-EM 5678",
                         vin_suffix="9876")
    assert new.plate == "D-EM 5678" and new.valid_until == permit.valid_until
    assert permit.status == Permit.Status.REPLACED and app.fee_cents == 1500


def test_moving_to_another_zone(permit, django_capture_on_commit_callbacks):
    make_zone("MÜ", "Münsterstraße", lon=6.7890, lat=51.2440)
    make_address("Münsterstraße", "120", "40476", lon=6.7890, lat=51.2441)
    SimulatedResident.objects.update(street="Münsterstraße", house_number="120", postcode="40476")
    app, new = follow_up(permit, django_capture_on_commit_callbacks, Kind.ZONE_CHANGE)
    assert new.zone.code == "MÜ" and new.valid_until == permit.valid_until
    assert permit.status == Permit.Status.REPLACED and app.fee_basis.startswith("Umschreibung")


def test_replacement_of_a_lost_permit_gets_a_new_number(permit, django_capture_on_commit_callbacks):
    app, new = follow_up(permit, django_capture_on_commit_callbacks, Kind.REPLACEMENT)
    assert new.number != permit.number and new.plate == permit.plate and new.valid_until == permit.valid_until
    assert permit.status == Permit.Status.REPLACED and app.fee_cents == 2500


def test_cancellation_refunds_pro_rata_per_configuration(permit):
    assert services.refund_preview(permit).cents == 2500  # 24 months, €50 paid, €25 retained
    services.cancel_permit(permit, actor=permit.holder)
    assert permit.status == Permit.Status.REVOKED and permit.revoked_at
    with pytest.raises(services.ParkingError):
        services.cancel_permit(permit, actor=permit.holder)


def test_refund_after_plate_change_and_replacement_is_computed_against_the_original_payment(
        permit, django_capture_on_commit_callbacks):
    from smartcity.audit.models import AuditEvent

    register_vehicle("D-EM 5678", permit.holder, vin="WVWZZZ1KZ8W009876")
    change, changed = follow_up(permit, django_capture_on_commit_callbacks, Kind.PLATE_CHANGE, plate="D-EM 5678",
                                vin_suffix="9876")
    assert change.fee_cents == 1500 and changed.fee_cents == 1500
    assert services.paid_basis(changed) == permit
    assert services.refund_preview(changed).cents == 2500  # the €50 paid for 24 months, not the €15 change fee
    replacement, replaced = follow_up(changed, django_capture_on_commit_callbacks, Kind.REPLACEMENT,
                                      plate="D-EM 5678", vin_suffix="9876")
    assert services.paid_basis(replaced) == permit
    assert services.cancel_permit(replaced, actor=permit.holder) == 2500
    event = AuditEvent.objects.get(action="parking.permit.cancelled")
    assert event.details["payment"] == "p" and event.details["refund_cents"] == 2500


def test_refund_after_renewal_is_computed_against_the_renewal_fee(permit, django_capture_on_commit_callbacks):
    Permit.objects.filter(pk=permit.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=30))
    permit.refresh_from_db()
    app, renewed = follow_up(permit, django_capture_on_commit_callbacks, Kind.RENEWAL)
    assert services.paid_basis(renewed) == renewed
    assert services.refund_preview(renewed).cents == 0  # €25 for 12 months: the retained minimum is €25


def test_reminders_four_weeks_before_expiry_once(permit):
    today = timezone.localdate()
    Permit.objects.filter(pk=permit.pk).update(valid_until=today + dt.timedelta(days=40))
    assert services.send_reminders(today) == 0
    Permit.objects.filter(pk=permit.pk).update(valid_until=today + dt.timedelta(days=27))
    mail.outbox.clear()
    assert services.send_reminders(today) == 1
    assert services.send_reminders(today) == 0  # running the job twice does no harm
    assert len(mail.outbox) == 1 and "läuft bald ab" in mail.outbox[0].subject
    assert Notification.objects.filter(user=permit.holder, subject__contains="läuft bald ab").count() == 1


def test_expiry_job_is_idempotent(permit):
    Permit.objects.filter(pk=permit.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert services.expire_permits() == 1
    assert services.expire_permits() == 0
    permit.refresh_from_db()
    assert permit.status == Permit.Status.EXPIRED


def test_new_application_while_holding_a_permit_is_returned(permit):
    app = services.create_application(permit.holder, plate="D-EM 1234", vin_suffix="4711", months=12)
    services.submit(app)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert permit.number in app.decisions.get().reasons


def test_gdpr_export_and_erase(permit):
    from smartcity.parking import gdpr

    draft = Application.objects.create(reference="BP-DRAFT", applicant=permit.holder, plate="D-EM 1",
                                       vin_suffix="1234", months=12)
    data = gdpr.export(permit.holder)
    assert data["ausweise"][0]["nummer"] == permit.number
    assert data["ausweise"][0]["kennzeichen"] == "D-EM 1234" and data["ausweise"][0]["zweites_kennzeichen"] == ""
    assert {a["antragsnummer"] for a in data["antraege"]} >= {draft.reference, permit.application.reference}
    assert data["antraege"][-1]["entscheidungen"] or data["antraege"][0]["entscheidungen"]
    notes = gdpr.erase(permit.holder)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert any("6 Jahre nach ihrem Ende" in n and "anonymisiert" in n for n in notes)
