"""Profile editing, CSRF, GDPR export and account deletion."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from smartcity.accounts.models import User
from smartcity.accounts.testing import PASSWORD, login_citizen, make_citizen
from smartcity.audit.models import AuditEvent
from smartcity.audit.services import verify_chain
from smartcity.cases.services import create_case, ensure_case_type
from smartcity.documents.models import Document
from smartcity.documents.services import store_upload
from smartcity.documents.tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db
PROFILE = {"first_name": "Erika", "last_name": "Musterfrau", "birth_date": "1964-08-12", "street": "Kaiserstraße",
           "house_number": "5", "postcode": "40479", "city": "Düsseldorf", "language": "de"}


def test_profile_edit_and_german_errors(client):
    citizen = make_citizen()
    login_citizen(client, citizen)
    response = client.post(reverse("accounts:profile"), PROFILE)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.last_name == "Musterfrau" and str(citizen.birth_date) == "1964-08-12"
    bad = client.post(reverse("accounts:profile"), {**PROFILE, "postcode": "4047", "birth_date": "12.13.1964"})
    page = bad.content.decode()
    assert "fünfstellige Postleitzahl" in page and 'aria-describedby="id_postcode_error"' in page
    assert 'value="Musterfrau"' in page  # what was typed stays in the form


def test_profile_sets_the_language_of_messages(client):
    citizen = make_citizen()
    login_citizen(client, citizen)
    assert client.post(reverse("accounts:profile"), {**PROFILE, "language": "en"}).status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    page = client.post(reverse("accounts:profile"), {**PROFILE, "language": "tlh"}).content.decode()
    assert 'id="id_language_error"' in page
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_profile_requires_login(client):
    assert client.get(reverse("accounts:profile"))["Location"].startswith("/konto/anmelden/")


def test_forged_csrf_token_on_profile_is_rejected():
    citizen = make_citizen(last_name="Original")
    client = Client(enforce_csrf_checks=True)
    login_citizen(client, citizen)
    client.get(reverse("accounts:profile"))
    response = client.post(reverse("accounts:profile"), {**PROFILE, "csrfmiddlewaretoken": "forged" * 10})
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.last_name == "Original"


def test_export_json_and_html_contain_my_data_only(client):
    citizen, other = make_citizen(last_name="Yilmaz"), make_citizen(last_name="Andere")
    store_upload(upload(pdf_bytes(), name="Mietvertrag.pdf"), owner=citizen)
    store_upload(upload(pdf_bytes(), name="Fremd.pdf"), owner=other)
    login_citizen(client, citizen)
    response = client.get(reverse("accounts:data_export") + "?format=json")
    assert response["Content-Disposition"].startswith("attachment; filename=\"meine-daten-")
    data = json.loads(response.content)
    text = json.dumps(data, ensure_ascii=False)
    assert "Yilmaz" in text and "Mietvertrag.pdf" in text
    assert "Andere" not in text and "Fremd.pdf" not in text
    page = client.get(reverse("accounts:data_export")).content.decode()
    assert "Mietvertrag.pdf" in page and "Kaiserstraße" in page


def test_delete_account_keeps_only_what_retention_requires(client):
    citizen = make_citizen(email="weg@example.org")
    loose = store_upload(upload(pdf_bytes()), owner=citizen)
    case_type = ensure_case_type("hundesteuer", name="Hund anmelden", department_code="steueramt")
    case = create_case(case_type=case_type, applicant=citizen, data={})
    kept = store_upload(upload(pdf_bytes()), owner=citizen, case=case)
    login_citizen(client, citizen)
    wrong = client.post(reverse("accounts:delete"), {"confirm": "on", "password": "falsch"})
    assert "nicht korrekt" in wrong.content.decode()
    response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:deleted")
    notes = client.get(response["Location"]).content.decode()
    assert "Aufbewahrungsfrist" in notes and "Audit" in notes
    assert not User.objects.filter(email="weg@example.org").exists()
    assert not Document.objects.filter(pk=loose.pk).exists()
    kept.refresh_from_db()
    assert kept.owner_id is None  # retained with its case, no longer tied to an account
    events = AuditEvent.objects.filter(actor_label=citizen.username)
    assert events.exists() and not events.filter(actor__isnull=False).exists()
    assert verify_chain()[0]
    assert "_auth_user_id" not in client.session


def test_account_without_password_confirms_with_checkbox(client):
    citizen = make_citizen()
    citizen.set_unusable_password()
    citizen.save()
    login_citizen(client, citizen)
    assert "id_password" not in client.get(reverse("accounts:delete")).content.decode()
    client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert not User.objects.filter(pk=citizen.pk).exists()


def test_staff_cannot_delete_their_account_themselves(client):
    from smartcity.accounts.testing import login_staff, make_staff

    staff = make_staff("steueramt")
    login_staff(client, staff)
    response = client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:profile")
    assert User.objects.filter(pk=staff.pk).exists()


def test_lockout_records_are_erased_with_the_account(client):
    from axes.models import AccessAttempt

    citizen = make_citizen()
    client.post("/konto/anmelden/", {"username": citizen.username, "password": "falsch"})
    assert AccessAttempt.objects.filter(username=citizen.username).exists()
    login_citizen(client, citizen)
    client.post(reverse("accounts:delete"), {"confirm": "on", "password": PASSWORD})
    assert not AccessAttempt.objects.filter(username=citizen.username).exists()
