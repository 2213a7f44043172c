"""core.rows.RowLoader on the parking models it serves: the same instances as the ORM's queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartcity.core.rows import RowLoader
from smartcity.parking import services
from smartcity.parking.models import Application

pytestmark = pytest.mark.django_db


def _columns(instance) -> dict:
    return {f.attname: instance.__dict__.get(f.attname, "<deferred>") for f in type(instance)._meta.concrete_fields}


def _application(resident) -> Application:
    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    services.submit(app)
    return app


def test_row_with_its_neighbours_is_the_one_the_orm_reads(resident):
    app = _application(resident)
    loader = RowLoader(Application, related=("applicant", "zone", "replaces"), defer=("zone__geometry",),
                       extra={"manual": "EXISTS (SELECT 1 FROM parking_decisionrecord d WHERE d.application_id = t0.id "
                                        "AND NOT d.automated)"})
    with CaptureQueriesContext(connection) as queries:
        loaded = loader.get(app.pk)
        assert loaded.applicant.get_username() == "erika" and loaded.zone.code == "GP" and loaded.replaces is None
    assert len(queries) == 1
    orm = Application.objects.select_related("applicant", "zone").defer("zone__geometry").get(pk=app.pk)
    assert _columns(loaded) == _columns(orm) and loaded._loaded == orm._loaded
    assert _columns(loaded.applicant) == _columns(orm.applicant) and _columns(loaded.zone) == _columns(orm.zone)
    assert loaded.zone.get_deferred_fields() == {"geometry"} and not loaded.manual
    assert loaded.changed_fields() == ["updated_at"] and not loaded._state.adding
    with pytest.raises(Application.DoesNotExist):
        loader.get("00000000-0000-0000-0000-000000000000")


def test_locked_read_and_refresh_behave_like_the_orm(resident):
    app = _application(resident)
    with CaptureQueriesContext(connection) as queries:
        locked = RowLoader(Application, lock=True).get(app.pk)
    if connection.vendor == "postgresql":
        assert queries[0]["sql"].endswith("FOR UPDATE OF t0")
    stale = Application.objects.select_related("zone").get(pk=app.pk)
    assert stale.zone.code == "GP"
    Application.objects.filter(pk=app.pk).update(plate="D-XY 99", zone=None)
    RowLoader(Application).refresh(stale)
    assert stale.plate == "D-XY 99" and stale.zone is None and stale._loaded["plate"] == "D-XY 99"
    assert _columns(stale) == _columns(Application.objects.get(pk=app.pk)) and locked.plate == "D-EM 1234"


def test_save_columns_writes_what_save_with_update_fields_writes(resident):
    import uuid

    from django.db import DatabaseError
    from django.db.models.signals import post_save

    from smartcity.core.rows import save_columns

    app = Application.objects.get(pk=_application(resident).pk)
    before = app.updated_at
    app.plate, app.months = "D-XY 1", 24  # months is not listed: not written
    with CaptureQueriesContext(connection) as queries:
        save_columns(app, ["plate", "updated_at"])
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    fresh = Application.objects.get(pk=app.pk)
    assert (fresh.plate, fresh.months, fresh.updated_at) == ("D-XY 1", 12, app.updated_at) and app.updated_at > before
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        save_columns(Application(pk=uuid.uuid4(), plate="D-A 1"), ["plate"])
    seen = []

    def receiver(sender, instance, update_fields, **kwargs):
        seen.append(set(update_fields))

    post_save.connect(receiver, sender=Application)
    try:
        save_columns(app, ["months"])  # a model with save receivers is saved by the ORM
    finally:
        post_save.disconnect(receiver, sender=Application)
    assert seen == [{"months"}] and Application.objects.get(pk=app.pk).months == 24


def test_find_by_a_unique_key_is_the_orm_first(resident):
    """The automated decision's address and vehicle register look-ups (``find`` by a unique key)."""
    from smartcity.parking.models import Address
    from smartcity.parking.registers.contrib.simulator.models import SimulatedVehicle
    from smartcity.parking.zones import find_address

    with CaptureQueriesContext(connection) as queries:
        found = find_address(" Kaiser-Str. ", " 5 ", "40479 ")
    assert len(queries) == 1
    orm = Address.objects.select_related("zone").defer("zone__geometry").filter(
        street_key="kaiserstrasse", house_number="5", postcode="40479").first()
    assert _columns(found) == _columns(orm) and _columns(found.zone) == _columns(orm.zone)
    assert found.zone.get_deferred_fields() == {"geometry"} and not found._state.adding
    assert find_address("Kaiserstraße", "7", "40479") is None
    vehicle = RowLoader(SimulatedVehicle, by=("plate",))
    assert _columns(vehicle.find("D-EM 1234")) == _columns(SimulatedVehicle.objects.get(plate="D-EM 1234"))
    assert vehicle.find("D-XY 1") is None
    with pytest.raises(ValueError, match="not a unique key"):
        RowLoader(Address, by=("street_key", "house_number"))


def test_insert_writes_what_create_writes(resident):
    from django.db.models.signals import post_save

    from smartcity.core.rows import create
    from smartcity.notifications.models import Notification

    with CaptureQueriesContext(connection) as queries:
        mine = create(Notification, user=resident, subject="Betreff", body="Text", link="/parken/")
    assert len(queries) == 1 and mine.pk is not None and not mine._state.adding and mine._state.db == "default"
    orm = Notification.objects.create(user=resident, subject="Betreff", body="Text", link="/parken/")
    assert mine.pk != orm.pk and mine.user is resident and mine.created_at is not None
    row = Notification.objects.get(pk=mine.pk)
    assert _columns(mine) == _columns(row)  # the instance holds what the row holds, its key included
    differ = {"id", "created_at"}
    assert {k: v for k, v in _columns(row).items() if k not in differ} == {
        k: v for k, v in _columns(Notification.objects.get(pk=orm.pk)).items() if k not in differ}
    saved = []
    post_save.connect(receiver := lambda **kw: saved.append(kw["instance"]), sender=Notification, weak=False)
    try:
        through_orm = create(Notification, user=resident, subject="S", body="B")
    finally:
        post_save.disconnect(receiver, sender=Notification)
    assert saved == [through_orm]  # a model with save receivers is saved by the ORM
