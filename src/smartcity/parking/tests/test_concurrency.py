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


def test_twenty_approvals_racing_for_one_plate_as_first_or_second_plate(zone):
    """Half the applications want D-RC 2 as their first plate, half as their second: one permit gets it."""
    from smartcity.parking.models import PermitPlate

    apps = []
    for i in range(20):
        user = User.objects.create_user(username=f"second{i}", email=f"second{i}@example.org", last_name=str(i),
                                        birth_date=dt.date(1980, 1, 1))
        plates = {"plate": "D-RC 2"} if i % 2 else {"plate": f"D-RD {i + 1}", "second_plate": "D-RC 2"}
        apps.append(Application.objects.create(reference=f"BP-S-{i}", applicant=user, vin_suffix="0001", months=12,
                                               zone=zone, fee_cents=2500, status=Application.Status.PAID, **plates))
    assert _run_all(services.issue_permit, apps) == []
    assert PermitPlate.objects.filter(plate="D-RC 2", active=True).count() == 1
    assert Permit.objects.filter(status="active").count() == 1
    assert Application.objects.filter(status=Application.Status.IN_REVIEW).count() == 19


def test_two_transactions_racing_the_second_transaction_waits_then_is_refused(zone):
    """Transaction A issues a permit with D-RC 3 as first plate and has not committed; transaction B inserts one
    with D-RC 3 as second plate. B waits on A's uncommitted index entry and fails once A commits."""
    import threading
    import time

    from django.db import IntegrityError, transaction
    from django.utils import timezone

    users = [User.objects.create_user(username=f"race{i}", email=f"race{i}@example.org", last_name=str(i))
             for i in range(2)]
    apps = [Application.objects.create(reference=f"BP-T-{i}", applicant=u, plate="D-RC 3", vin_suffix="0001",
                                       months=12, zone=zone) for i, u in enumerate(users)]
    a_inserted, a_may_commit, outcome = threading.Event(), threading.Event(), {}

    def permit(i: int, plate: str, second: str) -> None:
        Permit.objects.create(number=f"RC-{i}", holder=users[i], plate=plate, second_plate=second, zone=zone,
                              valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
                              issued_at=timezone.now(), application=apps[i])

    def transaction_a(_):
        with transaction.atomic():
            permit(0, "D-RC 3", "")
            a_inserted.set()
            a_may_commit.wait(10)

    def transaction_b(_):
        a_inserted.wait(10)
        started = time.monotonic()
        try:
            with transaction.atomic():
                permit(1, "D-RC 4", "D-RC 3")
        except IntegrityError:
            outcome["b"] = ("refused", time.monotonic() - started)
        else:
            outcome["b"] = ("inserted", time.monotonic() - started)

    def release(_):
        a_inserted.wait(10)
        time.sleep(0.5)  # B is now blocked on A's index entry
        a_may_commit.set()

    assert _run_all(lambda f: f(None), [transaction_a, transaction_b, release]) == []
    verdict, waited = outcome["b"]
    assert verdict == "refused" and waited >= 0.4
    assert list(Permit.objects.values_list("number", flat=True)) == ["RC-0"]
