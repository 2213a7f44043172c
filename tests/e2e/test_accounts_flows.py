"""Browser flows of the citizen account and the staff login, with axe-core on every page."""

import re

import pytest
from django.core import mail

from smartcity.accounts.models import TrustLevel, User
from smartcity.accounts.testing import PASSWORD, make_staff, playwright_login, totp_secret
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_register_verify_login_and_edit_profile(live_server, page):
    page.goto(live_server.url + "/konto/registrieren/")
    assert_accessible(page)
    page.get_by_label("Vorname").fill("Jana")
    page.get_by_label("Nachname").fill("Nowak")
    page.get_by_label("E-Mail-Adresse").fill("jana.nowak@example.org")
    page.get_by_label("Passwort", exact=True).fill("Rheinufer-Promenade-7")
    page.get_by_label("Passwort wiederholen").fill("Rheinufer-Promenade-7")
    page.get_by_role("button", name="Registrieren").click()
    # Missing consent: German error, everything typed is still there.
    assert page.get_by_text("Bitte bestätigen Sie die Datenschutzhinweise.").is_visible()
    assert page.get_by_label("Vorname").input_value() == "Jana"
    assert_accessible(page)
    page.get_by_label("Passwort", exact=True).fill("Rheinufer-Promenade-7")
    page.get_by_label("Passwort wiederholen").fill("Rheinufer-Promenade-7")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen.").check()
    page.get_by_role("button", name="Registrieren").click()
    page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach").wait_for()

    path = re.search(r"/konto/registrieren/bestaetigen/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("heading", name="Ihre E-Mail-Adresse ist bestätigt").wait_for()
    page.get_by_role("link", name="Zur Anmeldung").click()
    assert_accessible(page)

    playwright_login(page, live_server.url, "jana.nowak@example.org", "Rheinufer-Promenade-7")
    page.goto(live_server.url + "/konto/profil/")
    assert_accessible(page)
    page.get_by_label("Straße").fill("Ackerstraße")
    page.get_by_label("Hausnummer").fill("12")
    page.get_by_label("Postleitzahl").fill("40233")
    page.get_by_label("Ort").fill("Düsseldorf")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Ihre Angaben wurden gespeichert.").wait_for()
    user = User.objects.get(email="jana.nowak@example.org")
    assert (user.street, user.postcode, user.trust_level) == ("Ackerstraße", "40233", TrustLevel.BASIC)

    page.goto(live_server.url + "/konto/profil/meine-daten/")
    assert page.get_by_text("Ackerstraße").first.is_visible()
    assert_accessible(page)


def test_bundid_simulator_login_is_accessible(live_server, page):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_role("link", name="Mit BundID anmelden (Simulator)").click()
    assert_accessible(page)
    page.get_by_label(re.compile("^Ayşe Yılmaz")).check()
    page.get_by_label("hoch").check()
    page.get_by_role("button", name="Identität bestätigen").click()
    page.wait_for_selector("form[action$='/konto/abmelden/']", state="attached")
    page.goto(live_server.url + "/konto/profil/")
    assert page.get_by_label("Nachname").is_disabled()
    assert page.get_by_label("Nachname").input_value() == "Yılmaz"
    assert_accessible(page)


def test_staff_login_with_totp_and_lockout_page(live_server, page):
    staff = make_staff("steueramt")
    page.goto(live_server.url + "/konto/anmelden/")
    assert_accessible(page)
    playwright_login(page, live_server.url, staff.username, PASSWORD, totp_secret=totp_secret(staff))
    page.goto(live_server.url + "/konto/profil/")
    page.get_by_role("heading", name="Mein Konto").wait_for()
    page.get_by_role("button", name="Abmelden").click()
    for _ in range(5):
        page.goto(live_server.url + "/konto/anmelden/")
        page.get_by_label("E-Mail-Adresse oder Benutzername").fill(staff.username)
        page.get_by_label("Passwort", exact=True).fill("falsch")
        page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("heading", name="Anmeldung vorübergehend gesperrt").wait_for()
    assert_accessible(page)


def test_staff_enrolment_and_code_pages_are_accessible(live_server, page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smartcity.accounts.twofactor import code_for_next_login

    staff = make_staff("standesamt")
    TOTPDevice.objects.filter(user=staff).delete()
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(staff.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("heading", name="Zwei-Faktor-Anmeldung einrichten").wait_for()
    assert page.get_by_role("img", name="QR-Code zum Einrichten der Authenticator-App").is_visible()
    assert_accessible(page)
    page.get_by_label("Sicherheitscode").fill("000000")
    page.get_by_role("button", name="Bestätigen").click()
    page.get_by_text("Der Sicherheitscode ist nicht gültig.").wait_for()
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=staff)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.get_by_label("Sicherheitscode").fill(code_for_next_login(device.key))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_selector("form[action$='/konto/abmelden/']", state="attached")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
