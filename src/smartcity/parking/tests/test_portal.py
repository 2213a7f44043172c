"""Every parking application appears in Meine Anträge, with its status timeline on the application page."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import reverse

from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.parking import portal, services
from smartcity.parking.tests.test_services import apply
from smartcity.portal import providers

pytestmark = pytest.mark.django_db


def test_automatically_issued_application_is_listed_in_meine_antraege(client, resident,
                                                                      django_capture_on_commit_callbacks):
    app = apply(resident)
    assert app.case_id is None
    login_citizen(client, resident)
    page = client.get(reverse("portal:list")).content.decode()
    assert app.reference in page and "Bitte bezahlen Sie die Gebühr." in page
    assert reverse("parking:application", args=[app.pk]) in page
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p", subject_id=app.pk))
    page = client.get(reverse("portal:list")).content.decode()
    assert "Ausweis erteilt" in page and "Sie haben noch keine Anträge gestellt." not in page


def test_timeline_shows_each_status_reached(client, resident, django_capture_on_commit_callbacks):
    app = apply(resident)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p", subject_id=app.pk))
    titles = [entry.title for entry in portal.timeline(app)]
    assert titles == ["Ausweis erteilt", "bezahlt – Ausweis wird erstellt", "wartet auf Zahlung",
                      "Antrag eingereicht", "Antrag angelegt"]
    login_citizen(client, resident)
    page = client.get(reverse("parking:application", args=[app.pk])).content.decode()
    assert "Verlauf" in page and "Antrag eingereicht" in page


def test_staff_only_events_stay_out_of_the_citizen_timeline(resident):
    from smartcity.audit.services import record

    app = apply(resident)
    record("someone", "parking.application.zone_set", app, zone="GP")
    record("someone", "parking.application.read", app)
    assert len(portal.timeline(app)) == 3


def test_other_peoples_applications_are_not_listed(client, resident):
    app = apply(resident)
    other = make_citizen()
    assert providers.entries_for(other) == []
    login_citizen(client, other)
    page = client.get(reverse("portal:list")).content.decode()
    assert app.reference not in page and "Sie haben noch keine Anträge gestellt." in page
    assert client.get(reverse("parking:application", args=[app.pk])).status_code == 404


def test_unsubmitted_draft_is_marked(resident):
    services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    (entry,) = providers.entries_for(resident)
    assert entry.status == "Entwurf" and entry.action == "Noch nicht eingereicht."


def test_meine_antraege_stays_cheap_with_many_parking_applications(client, resident, django_assert_max_num_queries):
    for _ in range(30):
        services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    login_citizen(client, resident)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("portal:list"))
    assert response.content.decode().count("Noch nicht eingereicht.") == 30


def test_combined_look_up_says_who_has_applications(resident):
    from smartcity.parking.models import Application

    other = make_citizen()
    assert "parking" not in providers.present(resident, {}) and providers.entries_for(resident, set()) == []
    app = apply(resident)
    for user in (resident, other):
        assert ("parking" in providers.present(user, {})) == Application.objects.filter(applicant=user).exists()
    (entry,) = providers.entries_for(resident, providers.present(resident, {}))
    assert entry.reference == app.reference and providers.entries_for(other, providers.present(other, {})) == []


def test_combined_look_up_without_tests_runs_nothing(resident, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(providers, "_providers", {})
    with django_assert_num_queries(0):
        assert providers.present(resident, {}) == set()
