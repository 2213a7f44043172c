"""Publisher registry, service KPIs with small-count suppression, and update-frequency alerts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from smartcity.opendata import disclosure, freshness, kpi, publishers
from smartcity.opendata.models import Dataset

from .conftest import make_dataset

pytestmark = pytest.mark.django_db

SPEC = {"name": "testzonen", "title": "Testzonen", "owner_org": "duesseldorf", "notes": "Zonen",
        "tags": ["Parken"], "groups": ["tran"], "frequency": "MONTHLY"}


@pytest.fixture
def registry():
    saved = publishers.registered()
    yield
    publishers._REGISTRY.clear()
    publishers._REGISTRY.update(saved)


def test_registered_publisher_creates_and_refreshes_its_dataset(orgs, registry, django_capture_on_commit_callbacks):
    counter = {"n": 0}

    def zones():
        counter["n"] += 1
        return publishers.Publication("Zonen (GeoJSON)", "zonen.geojson",
                                      b'{"type": "FeatureCollection", "features": []}', "GEOJSON",
                                      metadata={"extras": [{"key": "temporal_start", "value": "2026-01-01"}]})

    publishers.register("test-zones", zones, dataset=SPEC)
    with django_capture_on_commit_callbacks(execute=True):
        [ds] = publishers.run("test-zones")
        publishers.run("test-zones")
    ds.refresh_from_db()
    assert ds.publisher_key == "test-zones" and ds.state == "active" and counter["n"] == 2
    [res] = ds.resources.filter(state="active")
    assert res.format == "GEOJSON" and res.size > 0
    assert ds.temporal_start == date(2026, 1, 1) and ds.frequency == "MONTHLY"


def test_one_failing_publisher_does_not_stop_the_others(orgs, registry):
    publishers._REGISTRY.clear()

    def broken():
        raise RuntimeError("Datenbank des Fachverfahrens nicht erreichbar")

    publishers.register("broken", broken, dataset={**SPEC, "name": "kaputt"})
    publishers.register("fine", lambda: publishers.Publication("a", "a.csv", b"x,y\n1,2\n", "CSV"), dataset=SPEC)
    outcome = publishers.run_all()
    assert outcome["broken"].startswith("error: RuntimeError") and outcome["fine"].startswith("ok")
    assert Dataset.objects.get(name="testzonen").resources.count() == 1


def test_disclosure_control():
    assert disclosure.suppress(4) is None and disclosure.suppress(5) == 5
    assert disclosure.share(2, 4) is None and disclosure.share(3, 6) == 0.5
    assert disclosure.safe_median([1, 2, 3]) is None and disclosure.safe_median([1, 2, 3, 4, 10]) == 3


def test_service_kpis_from_cases(orgs, registry):
    from smartcity.cases import services as cases

    big = cases.ensure_case_type("kpi-gross", name="Große Leistung", department_code="buergerservice")
    small = cases.ensure_case_type("kpi-klein", name="Seltene Leistung", department_code="buergerservice")
    received = timezone.now() - timedelta(days=2)
    for i in range(6):
        case = cases.create_case(case_type=big, applicant=None, data={}, received_at=received)
        cases.decide(case, outcome="approved", actor=None)  # decided by the system
    for _ in range(2):
        cases.create_case(case_type=small, applicant=None, data={}, received_at=received)
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    rows = {r["leistung"]: r for r in kpi.rows(today=next_month)}
    assert rows["kpi-gross"]["antraege_eingegangen"] == 6 and rows["kpi-gross"]["entscheidungen"] == 6
    assert rows["kpi-gross"]["anteil_automatisch"] == 1.0
    assert rows["kpi-klein"]["antraege_eingegangen"] is None and rows["kpi-klein"]["unterdrueckt"] == "ja"
    [ds] = publishers.run("service-kpis")
    assert ds.name == kpi.DATASET["name"] and ds.resources.get().format == "CSV"


def test_overdue_dataset_alerts_editors_once(orgs, editor, django_capture_on_commit_callbacks):
    from smartcity.notifications.models import Notification

    ds = make_dataset(orgs[0], "tageswerte", extras=[{"key": "frequency", "value": "DAILY"}])
    Dataset.objects.filter(pk=ds.pk).update(modified=timezone.now() - timedelta(days=5))
    fresh = make_dataset(orgs[0], "jahreswerte", extras=[{"key": "frequency", "value": "ANNUAL"}])
    assert freshness.check_freshness() == 1
    assert freshness.check_freshness() == 0  # not again for the same delay
    note = Notification.objects.get(user=editor)
    assert "tageswerte" not in note.subject and "Datensatz nicht aktuell" in note.subject
    ds.refresh_from_db()
    assert ds.freshness_alerted_at is not None and fresh.freshness_alerted_at is None
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartcity.opendata import services

    with django_capture_on_commit_callbacks(execute=True):
        services.create_resource(editor, ds, {"name": "heute"}, SimpleUploadedFile("heute.csv", b"a\n1\n"))
    ds.refresh_from_db()
    assert ds.freshness_alerted_at is None and not services.is_overdue(ds)
