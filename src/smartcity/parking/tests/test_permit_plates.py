"""Second plates are plates like the first: stored as ``PermitPlate`` rows (written by triggers), unique among active
permits in the database, checked at decision time and found by the enforcement lookup."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from smartcity.accounts.models import User
from smartcity.parking import plate_register, retention, services
from smartcity.parking.enforcement import lookup
from smartcity.parking.models import Application, DecisionRecord, Permit, PermitPlate
from smartcity.parking.rules.plates import InvalidInput
from smartcity.parking.tests.test_services import apply

pytestmark = pytest.mark.django_db

_n = iter(range(1, 10_000))


def _permit(zone, plate: str, second_plate: str = "", *, holder=None, status: str = Permit.Status.ACTIVE) -> Permit:
    n = next(_n)
    holder = holder or User.objects.create(username=f"halter{n}", email=f"halter{n}@example.org", last_name=f"H{n}")
    app = Application.objects.create(reference=f"PP-{n}", applicant=holder, plate=plate, second_plate=second_plate,
                                     vin_suffix="1234", months=12, zone=zone, status=Application.Status.ISSUED)
    today = timezone.localdate()
    return Permit.objects.create(number=f"GP-26-{n:06d}", holder=holder, plate=plate, second_plate=second_plate,
                                 zone=zone, application=app, valid_from=today, valid_until=today + dt.timedelta(364),
                                 issued_at=timezone.now(), status=status)


def _plates(permit) -> list[tuple[int, str, bool]]:
    return list(PermitPlate.objects.filter(permit=permit).order_by("slot").values_list("slot", "plate", "active"))


# --- the table follows every write to parking_permit ----------------------------------------------------------

def test_both_plates_are_rows_and_follow_the_permits_status(zone):
    permit = _permit(zone, "D-AB 1", "D-CD 2")
    assert _plates(permit) == [(1, "D-AB 1", True), (2, "D-CD 2", True)]
    Permit.objects.filter(pk=permit.pk).update(status=Permit.Status.EXPIRED)  # as the expiry job does
    assert _plates(permit) == [(1, "D-AB 1", False), (2, "D-CD 2", False)]
    Permit.objects.filter(pk=permit.pk).update(status=Permit.Status.ACTIVE)
    assert _plates(permit) == [(1, "D-AB 1", True), (2, "D-CD 2", True)]
    permit.second_plate = ""
    permit.save()
    assert _plates(permit) == [(1, "D-AB 1", True)]
    Permit.objects.filter(pk=permit.pk).update(reminded_at=timezone.now())  # other columns: rows untouched
    assert _plates(permit) == [(1, "D-AB 1", True)]


def test_one_plate_only_gives_one_row(zone):
    assert _plates(_permit(zone, "D-AB 1")) == [(1, "D-AB 1", True)]


def test_deleting_a_permit_deletes_its_plates_also_with_raw_sql(zone):
    kept, gone = _permit(zone, "D-AB 1", "D-CD 2"), _permit(zone, "D-EF 3", "D-GH 4")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM parking_permit WHERE id = %s", [gone.pk.hex if connection.vendor == "sqlite"
                                                                    else gone.pk])
    assert set(PermitPlate.objects.values_list("plate", flat=True)) == {"D-AB 1", "D-CD 2"}
    kept.delete()
    assert not PermitPlate.objects.exists()


@pytest.mark.parametrize("first, second, other_first, other_second", [
    ("D-AB 1", "", "D-AB 1", ""),  # first = first (as before)
    ("D-AB 1", "", "D-XY 9", "D-AB 1"),  # the new permit's second plate is an active first plate
    ("D-XY 9", "D-AB 1", "D-AB 1", ""),  # the new permit's first plate is an active second plate
    ("D-XY 9", "D-AB 1", "D-ZZ 7", "D-AB 1"),  # second = second
])
def test_the_database_refuses_a_plate_on_two_active_permits(zone, first, second, other_first, other_second):
    _permit(zone, first, second)
    with pytest.raises(IntegrityError), transaction.atomic():
        _permit(zone, other_first, other_second)
    _permit(zone, other_first, other_second, status=Permit.Status.EXPIRED)  # inactive permits may share plates


def test_reactivating_a_permit_whose_plate_is_taken_is_refused(zone):
    old = _permit(zone, "D-AB 1", status=Permit.Status.EXPIRED)
    _permit(zone, "D-XY 9", "D-AB 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Permit.objects.filter(pk=old.pk).update(status=Permit.Status.ACTIVE)


def test_retention_deletes_the_plates_with_the_permit_data(zone):
    permit = _permit(zone, "D-AB 1", "D-CD 2", status=Permit.Status.EXPIRED)
    retention.anonymise(permit.application)
    assert not PermitPlate.objects.filter(permit=permit).exists()


# --- decision time ------------------------------------------------------------------------------------------

def test_second_plate_held_by_another_person_routes_with_the_plate_named(resident, zone):
    _permit(zone, "D-XY 9", "D-EM 5678")
    app = apply(resident, second_plate="D-EM 5678")
    assert app.status == Application.Status.IN_REVIEW
    checks = {c["code"]: c for c in app.decisions.get().checks}
    assert not checks["plate_unique"]["passed"]
    assert checks["plate_unique"]["reason"].startswith("Für D-EM 5678 gibt es bereits einen gültigen Ausweis")


def test_first_plate_held_as_another_persons_second_plate_routes(resident, zone):
    _permit(zone, "D-XY 9", "D-EM 1234")
    app = apply(resident)
    record = app.decisions.get()
    assert app.status == Application.Status.IN_REVIEW and record.outcome == DecisionRecord.Outcome.ROUTE
    assert {c["code"] for c in record.checks if not c["passed"]} == {"plate_unique"}
    assert record.ruleset_version == "DUS-BWP-2026.2"


def test_own_permits_plates_do_not_block_a_renewal(resident, zone, django_capture_on_commit_callbacks):
    permit = _permit(zone, "D-EM 1234", "D-EM 5678", holder=resident)
    Permit.objects.filter(pk=permit.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=20))
    permit.refresh_from_db()
    app = services.create_application(resident, plate="D-EM 1234", second_plate="D-EM 5678", vin_suffix="4711",
                                      months=12, kind=Application.Kind.RENEWAL, replaces=permit)
    services.submit(app)
    checks = {c["code"]: c["passed"] for c in app.decisions.get().checks}
    assert checks["plate_unique"] and checks["person_unique"]


def test_caseworker_approval_racing_a_second_plate_is_refused_at_issue(resident, zone,
                                                                      django_capture_on_commit_callbacks):
    """Both decisions passed; the other permit was issued in between. The database refuses, the application goes
    to a caseworker with a reason and no permit is issued."""
    app = Application.objects.create(reference="BP-2P", applicant=resident, plate="D-EM 1234",
                                     second_plate="D-EM 5678", vin_suffix="4711", months=12, zone=zone,
                                     fee_cents=2500, status=Application.Status.PAID)
    _permit(zone, "D-EM 5678")
    assert services.issue_permit(app) is None
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW
    assert "gleichzeitig ein anderer Ausweis" in app.decisions.first().reasons
    assert not Permit.objects.filter(application=app).exists()
    assert not PermitPlate.objects.filter(plate="D-EM 1234").exists()  # rolled back with the permit


def test_issued_permit_with_two_plates_is_found_by_both(resident, zone, django_capture_on_commit_callbacks):
    app = Application.objects.create(reference="BP-2Q", applicant=resident, plate="D-EM 1234",
                                     second_plate="D-EM 5678", vin_suffix="4711", months=12, zone=zone,
                                     fee_cents=2500, status=Application.Status.PAID)
    permit = services.issue_permit(app)
    for reading in ("DEM1234", "d-em 5678"):
        result = lookup.lookup_plate(reading)
        assert result.valid and result.zone == "GP" and result.valid_until == permit.valid_until
    assert lookup.lookup_plate("DEM5678").plate == "D-EM 5678"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permit, actor=resident)
    assert not lookup.lookup_plate("DEM5678").valid and not lookup.lookup_plate("DEM1234").valid


# --- bad input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("second", ["D-EM 1234", "d:em1234", " d em 1234 "])
def test_the_same_plate_twice_is_refused_before_anything_is_saved(resident, second):
    with pytest.raises(InvalidInput, match="dasselbe wie das erste"):
        services.create_application(resident, plate="D-EM 1234", second_plate=second, vin_suffix="4711", months=12)
    assert not Application.objects.exists()


@pytest.mark.parametrize("language, message", [
    ("de", "Das zweite Kennzeichen ist dasselbe wie das erste."),
    ("en", "The second number plate is the same as the first."),
])
def test_the_form_says_so_in_the_page_language(client, resident, language, message):
    from smartcity.accounts.testing import login_citizen

    login_citizen(client, resident)
    with translation.override(language):
        response = client.post(reverse("parking:apply"), {
            "plate": "D-EM 1234", "vin_suffix": "4711", "months": "12", "second_plate": "d-em 1234",
            "special_circumstances": ""}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Application.objects.exists()


# --- migration of existing rows -----------------------------------------------------------------------------

def test_rebuild_copies_existing_permits_and_refuses_conflicts_naming_them(zone):
    a = _permit(zone, "D-AB 1", "D-CD 2")
    b = _permit(zone, "D-EF 3", status=Permit.Status.EXPIRED)
    plate_register.drop_triggers(connection)  # rows written before the plates table existed
    try:
        PermitPlate.objects.all().delete()
        assert plate_register.rebuild(connection) == 3
        assert _plates(a) == [(1, "D-AB 1", True), (2, "D-CD 2", True)] and _plates(b) == [(1, "D-EF 3", False)]
        PermitPlate.objects.all().delete()
        clash = _permit(zone, "D-XY 9", "D-AB 1")  # possible before: second plates were not checked
        with pytest.raises(plate_register.PlateConflict, match=f"D-AB 1: {a.number}, {clash.number}"):
            plate_register.rebuild(connection)
    finally:
        Permit.objects.filter(number__startswith="GP-26-").delete()
        plate_register.install_triggers(connection)
    assert plate_register.triggers_installed(connection)


def test_triggers_are_reinstalled_after_migrate_if_missing(zone):
    plate_register.drop_triggers(connection)
    assert not plate_register.triggers_installed(connection)
    plate_register.ensure_triggers(using="default")
    assert plate_register.triggers_installed(connection)
    assert _plates(_permit(zone, "D-AB 1")) == [(1, "D-AB 1", True)]


def test_paid_application_for_a_plate_in_use_as_second_plate_after_payment(resident, zone,
                                                                          django_capture_on_commit_callbacks):
    """The standard path end to end: decided, paid, then another permit took the plate as its second plate."""
    app = apply(resident)
    assert app.status == Application.Status.AWAITING_PAYMENT
    _permit(zone, "D-XY 9", "D-EM 1234")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="00000000-0000-0000-0000-000000000001", subject_id=app.pk))
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW
    assert PermitPlate.objects.filter(plate="D-EM 1234", active=True).count() == 1


def test_on_sqlite_triggers_make_way_for_table_rebuilds_during_migrate(zone):
    """SQLite rebuilds tables in migrations; a trigger naming a rebuilt table breaks the rename. So they are
    dropped before migrate and come back, with the rows, after it. PostgreSQL keeps them throughout."""
    plate_register.drop_before_migrate(using="default")
    assert plate_register.triggers_installed(connection) == (connection.vendor == "postgresql")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # what Django's SQLite schema editor does to rebuild a table
            cursor.execute("CREATE TABLE new__parking_permitplate AS SELECT * FROM parking_permitplate")
            cursor.execute("DROP TABLE parking_permitplate")
            cursor.execute("ALTER TABLE new__parking_permitplate RENAME TO parking_permitplate")
            cursor.execute("CREATE UNIQUE INDEX uniq_active_plate ON parking_permitplate (plate) WHERE active")
    plate_register.ensure_triggers(using="default")
    assert plate_register.triggers_installed(connection)
    assert _plates(_permit(zone, "D-AB 1", "D-CD 2")) == [(1, "D-AB 1", True), (2, "D-CD 2", True)]


def test_decision_facts_are_those_of_the_orm_union(resident, zone):
    """``services._request`` reads the person's other active permit and the requested plates held by other persons
    with one statement written once; the same facts as the ORM's union of two querysets it replaced."""
    def orm(app):
        own = (Permit.objects.filter(holder_id=app.applicant_id, status=Permit.Status.ACTIVE)
               .exclude(pk=app.replaces_id).values_list("number", flat=True))
        taken = (PermitPlate.objects.filter(plate__in=[p for p in (app.plate, app.second_plate) if p], active=True)
                 .exclude(permit__holder_id=app.applicant_id).values_list("plate", flat=True))
        return min(own, default=""), tuple(sorted(set(taken)))

    own_permit = _permit(zone, "D-EM 1234", holder=resident)
    _permit(zone, "D-XY 9", "D-EM 5678")
    _permit(zone, "D-AB 77", status=Permit.Status.REPLACED)
    cases = [("D-EM 1234", "D-EM 5678", None), ("D-EM 1234", "D-EM 5678", own_permit), ("D-XY 9", "", None),
             ("D-AB 77", "D-QQ 1", own_permit), ("D-EM 5678", "D-XY 9", None)]
    for plate, second_plate, replaces in cases:
        app = Application(applicant=resident, plate=plate, second_plate=second_plate, vin_suffix="4711", months=12,
                          replaces=replaces)
        request = services._request(app)
        assert (request.other_active_permit_of_person, request.plates_of_other_persons) == orm(app)
    assert orm(Application(applicant=resident, plate="D-XY 9", second_plate="D-EM 5678")) == (
        own_permit.number, ("D-EM 5678", "D-XY 9"))
