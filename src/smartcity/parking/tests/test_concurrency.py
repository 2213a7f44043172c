"""Uniqueness under concurrent requests, on PostgreSQL (SQLite serialises writers, so it proves nothing)."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from smartcity.accounts.models import User
from smartcity.parking import services
from smartcity.parking.models import Application, Permit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_all(fn, items):
    errors = []

    def wrapped(item):
        try:
            fn(item)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        list(pool.map(wrapped, items))
    return errors


def test_twenty_concurrent_applications_for_one_plate_yield_one_permit(resident):
    drafts = [services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
              for _ in range(20)]

    def apply_and_pay(app: Application) -> None:
        services.submit(app)
        app.refresh_from_db()
        if app.status == Application.Status.AWAITING_PAYMENT:
            services.record_counter_payment(app, actor="test")

    assert _run_all(apply_and_pay, drafts) == []
    assert Permit.objects.filter(plate="D-EM 1234").count() == 1
    assert Application.objects.filter(status=Application.Status.ISSUED).count() == 1
    # The others were told why (another permit exists or was issued at the same moment), none is stuck.
    assert not Application.objects.filter(status=Application.Status.PAID).exists()


def test_twenty_people_racing_for_one_plate_at_issue_time(zone):
    apps = []
    for i in range(20):
        user = User.objects.create_user(username=f"racer{i}", email=f"racer{i}@example.org", last_name=str(i),
                                        birth_date=dt.date(1980, 1, 1))
        apps.append(Application.objects.create(reference=f"BP-R-{i}", applicant=user, plate="D-RC 1",
                                               vin_suffix="0001", months=12, zone=zone, fee_cents=2500,
                                               status=Application.Status.PAID))
    assert _run_all(services.issue_permit, apps) == []
    assert Permit.objects.filter(plate="D-RC 1", status="active").count() == 1
    assert Application.objects.filter(status=Application.Status.IN_REVIEW).count() == 19
