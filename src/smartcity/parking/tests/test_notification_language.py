"""Parking notifications are written in the recipient's language (``User.language``), whoever's request or task
causes them: German texts for a German-speaking citizen, English for an English-speaking one."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from smartcity.accounts.models import User
from smartcity.cases.models import Case
from smartcity.cases.services import decide
from smartcity.notifications.models import Notification
from smartcity.parking import services
from smartcity.parking.models import Application, Permit, SimulatedResident, SimulatedVehicle
from smartcity.parking.registers.contrib.simulator.models import SimulatedOutage
from smartcity.parking.tests.test_services import apply

pytestmark = pytest.mark.django_db


def _speaks(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _subjects(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("subject", flat=True))


def _body(user, contains: str) -> str:
    return Notification.objects.get(user=user, subject__contains=contains).body


def _issue(user, capture) -> Permit:
    with capture(execute=True):
        app = apply(user)
    with capture(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="00000000-0000-0000-0000-000000000001", subject_id=app.pk))
    return Permit.objects.get(application=app)


def test_english_citizen_gets_the_issue_and_reminder_notices_in_english(resident, django_capture_on_commit_callbacks):
    _speaks(resident, "en")
    mail.outbox.clear()
    permit = _issue(resident, django_capture_on_commit_callbacks)
    assert _subjects(resident) == ["Your resident parking permit has been issued"]
    body = _body(resident, "issued")
    assert f"Your resident parking permit {permit.number} for D-EM 1234 in zone GP is valid from" in body
    assert f"{permit.valid_until:%d.%m.%Y}. You can download and print it now." in body
    assert "also find this message in your mailbox" in mail.outbox[-1].body  # the e-mail footer follows suit
    assert services.send_reminders(permit.valid_until - dt.timedelta(days=20)) == 1
    assert _body(resident, "expires soon").endswith("You can renew it online now; the remaining validity is credited.")
    assert translation.get_language() == "de"  # the surrounding language is restored


def test_german_citizen_gets_the_same_notices_in_german(resident, django_capture_on_commit_callbacks):
    _speaks(resident, "de")
    with translation.override("en"):  # e.g. an English-speaking caseworker's request or a task in English
        permit = _issue(resident, django_capture_on_commit_callbacks)
        services.send_reminders(permit.valid_until - dt.timedelta(days=20))
    assert _subjects(resident) == ["Ihr Bewohnerparkausweis ist ausgestellt", "Ihr Bewohnerparkausweis läuft bald ab"]
    assert "Sie können ihn jetzt herunterladen und ausdrucken." in _body(resident, "ausgestellt")


@pytest.mark.parametrize("language", ["", "fr", "xx-XX"])
def test_an_unknown_or_missing_language_falls_back_to_german(resident, django_capture_on_commit_callbacks, language):
    User.objects.filter(pk=resident.pk).update(language=language)  # bypasses choices, as old rows might
    resident.refresh_from_db()
    _issue(resident, django_capture_on_commit_callbacks)
    assert _subjects(resident) == ["Ihr Bewohnerparkausweis ist ausgestellt"]


def test_routing_and_caseworker_approval_in_english_with_fee_in_english_format(
        resident, django_capture_on_commit_callbacks):
    _speaks(resident, "en")
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(resident, special_circumstances="Ich pflege meine Mutter.")
    assert app.status == Application.Status.IN_REVIEW
    routed = _body(resident, "being reviewed")
    assert routed.startswith("Your application cannot be decided automatically")
    # The reasons come from the decision record, which stays German (the legal record); the text says so.
    assert "Reasons (from the decision record, in German):\nSie haben besondere Umstände geschildert" in routed
    caseworker = User.objects.create_user(username="parken", language="de")
    with django_capture_on_commit_callbacks(execute=True), translation.override("de"):
        decide(Case.objects.get(pk=app.case_id), outcome="approved", actor=caseworker)
    approved = _body(resident, "has been approved")
    assert approved == (f"Your application {app.reference} has been approved. Please pay the fee of €25.00; you can "
                        "then download the permit right away.")


def test_routing_and_approval_in_german(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        app = apply(resident, special_circumstances="Ich pflege meine Mutter.")
        decide(Case.objects.get(pk=app.case_id), outcome="approved",
               actor=User.objects.create_user(username="parken"))
    assert "Gründe:\nSie haben besondere Umstände geschildert" in _body(resident, "wird geprüft")
    assert "Bitte bezahlen Sie die Gebühr von 25,00 €" in _body(resident, "ist genehmigt")


@pytest.mark.parametrize("language, subject, expected", [
    ("en", "Hearing on your application", "We intend to reject your application"),
    ("de", "Anhörung zu Ihrem Antrag", "Wir beabsichtigen, Ihren Antrag"),
])
def test_automatic_hearing_notice_in_the_citizens_language(resident, django_capture_on_commit_callbacks,
                                                            language, subject, expected):
    _speaks(resident, language)
    SimulatedResident.objects.update(street="Am Wald", house_number="3", postcode="40629")
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(resident)
    assert app.status == Application.Status.HEARING
    body = _body(resident, subject)
    assert body.startswith(f"{expected} {app.reference}")
    assert f"{app.hearing_deadline:%d.%m.%Y}" in body


def test_caseworker_hearing_letter_is_german_with_an_english_courtesy_translation(
        resident, django_capture_on_commit_callbacks):
    _speaks(resident, "en")
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(resident, special_circumstances="Ich pflege meine Mutter.")
    caseworker = User.objects.create_user(username="parken")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_hearing(app, actor=caseworker, reasons="Pflege nicht nachgewiesen.")
    letter = Case.objects.get(pk=app.case_id).messages.get(from_staff=True).body
    official, courtesy = letter.split("\n\n---\n\n")
    assert official.startswith("Anhörung (§ 28 Abs. 1 VwVfG)\n\nWir beabsichtigen")
    assert courtesy.startswith("Hearing (§ 28 (1) VwVfG)\n\nWe intend to reject your application")
    assert "Pflege nicht nachgewiesen." in courtesy


def test_caseworker_hearing_letter_for_a_german_citizen_has_no_translation(resident,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(resident, special_circumstances="Ich pflege meine Mutter.")
    with translation.override("en"):
        services.start_hearing(app, actor=User.objects.create_user(username="parken"), reasons="Fehlt.")
    letter = Case.objects.get(pk=app.case_id).messages.get(from_staff=True).body
    assert letter.startswith("Anhörung (§ 28 Abs. 1 VwVfG)") and "---" not in letter and "We intend" not in letter


@pytest.mark.parametrize("language, fragment", [
    ("en", "All requirements are met. Please pay the fee of €25.00"),
    ("de", "Alle Voraussetzungen sind erfüllt. Bitte bezahlen Sie die Gebühr von 25,00 €"),
])
def test_register_retry_result_in_the_citizens_language(resident, monkeypatch, django_capture_on_commit_callbacks,
                                                         language, fragment):
    from smartcity.parking import tasks

    _speaks(resident, language)
    monkeypatch.setattr(tasks.retry_register_check, "apply_async", lambda args, countdown: None)
    SimulatedVehicle.objects.update(simulate=SimulatedOutage.TIMEOUT)
    app = apply(resident)
    SimulatedVehicle.objects.update(simulate="")
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_after_outage(app.pk)
    assert fragment in Notification.objects.get(user=resident).body


def test_register_retry_returning_the_draft_in_english(resident, monkeypatch, django_capture_on_commit_callbacks):
    from smartcity.parking import tasks

    _speaks(resident, "en")
    monkeypatch.setattr(tasks.retry_register_check, "apply_async", lambda args, countdown: None)
    SimulatedVehicle.objects.update(simulate=SimulatedOutage.TIMEOUT)
    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="9999", months=12)  # wrong VIN
    services.submit(app)
    SimulatedVehicle.objects.update(simulate="")
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_after_outage(app.pk)
    assert _subjects(resident) == ["Please check your application for a resident parking permit"]
