"""The dog-tax and certificate forms through the views: steps, errors, uploads, drafts, submission, payment."""

import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.audit.models import AuditEvent
from smartcity.cases.models import Case
from smartcity.documents.models import Document
from smartcity.eforms import services
from smartcity.eforms.models import Submission
from smartcity.portal import providers

from .conftest import pdf_upload

DOG = {"hundename": "Bello", "rasse": "labrador", "geschlecht": "ruede", "wurfdatum": "2023-04-01",
       "haltungsbeginn": "", "chipnummer": "276098106123456"}


def _start(client, slug: str) -> Submission:
    response = client.post(reverse("eforms:new", args=[slug]))
    assert response.status_code == 302
    return Submission.objects.latest("created_at")


def _step_url(submission: Submission, step: str) -> str:
    return reverse("eforms:step", args=[submission.pk, step])


def _owner(client, submission):
    response = client.post(_step_url(submission, "halter"), {
        "vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1980-05-17", "strasse": "Kaiserstraße",
        "hausnummer": "5", "plz": "40479", "email": "erika@example.org", "weitere_hunde": "0", "aktion": "weiter"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def _dog(client, submission, **overrides):
    from django.utils import timezone

    data = {**DOG, "haltungsbeginn": timezone.localdate().isoformat(), "nachweis_hund": pdf_upload(),
            "aktion": "weiter", **overrides}
    return client.post(_step_url(submission, "hund"), data)


def _submit(client, submission):
    submission.refresh_from_db()
    return client.post(reverse("eforms:summary", args=[submission.pk]),
                       {"token": str(submission.token), "bestaetigung": "ja"})


def test_start_page_is_public_and_shows_the_fee_from_the_definition(client, forms):
    html = client.get(reverse("eforms:start", args=["personenstandsurkunde"])).content.decode()
    assert "12,00 € für das erste Exemplar" in html
    assert "Anmelden und Antrag starten" in html


def test_catalogue_links_to_the_form_and_shows_the_same_fees(client, forms):
    service = forms["personenstandsurkunde"].service
    html = client.get(service.get_absolute_url()).content.decode()
    assert reverse("eforms:start", args=["personenstandsurkunde"]) in html
    assert "Jetzt online beantragen" in html
    assert "6,00 € für jedes weitere Exemplar" in html
    assert service.fees == services.fees.fee_lines(forms["personenstandsurkunde"].fee_rule)


def test_anonymous_users_must_log_in(client, forms):
    response = client.post(reverse("eforms:new", args=["hund-anmelden"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_dog_registration_without_fee_creates_a_case_with_the_upload(citizen_client, citizen, forms,
                                                                     django_capture_on_commit_callbacks):
    submission = _start(citizen_client, "hund-anmelden")
    page = citizen_client.get(_step_url(submission, "halter")).content.decode()
    assert 'value="Erika"' in page and 'value="40479"' in page  # prefilled from the account
    _owner(citizen_client, submission)
    response = _dog(citizen_client, submission)
    assert response.status_code == 302 and response["Location"] == reverse("eforms:summary", args=[submission.pk])
    summary = citizen_client.get(response["Location"]).content.decode()
    assert "Labrador Retriever" in summary and "kaufvertrag.pdf" in summary
    assert "Für diesen Antrag fällt keine Gebühr an." in summary
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(citizen_client, submission)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    case = submission.case
    assert case.case_type.code == "hundesteuer" and case.department.code == "steueramt"
    assert case.status == "eingegangen"
    assert case.data["answers"]["rasse"] == "labrador"
    assert ["Rasse", "Labrador Retriever"] in [list(r) for s in case.data["summary"] for r in s["rows"]]
    kinds = set(Document.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"upload", "receipt"}
    receipt = Document.objects.get(case=case, kind="receipt")
    assert receipt.file.read().startswith(b"%PDF")
    assert any(case.reference in m.subject for m in mail.outbox)
    done = citizen_client.get(response["Location"]).content.decode()
    assert case.reference in done and reverse("documents:download", args=[receipt.pk]) in done
    assert not services.drafts_for(citizen).exists()
    assert "drafts" not in providers.present(citizen, {"drafts": services.ANY_DRAFT})


def test_listed_breed_needs_the_extra_step_with_uploads(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _owner(citizen_client, submission)
    response = _dog(citizen_client, submission, rasse="rottweiler")
    assert response["Location"] == _step_url(submission, "listenhund")
    response = citizen_client.post(response["Location"], {"erlaubnis_vorhanden": "ja", "versicherung": "",
                                                           "aktion": "weiter"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte geben Sie „Haftpflichtversicherung (Gesellschaft und Versicherungsnummer)“ an." in html
    assert "Bitte laden Sie hoch: „Sachkundenachweis“." in html
    response = citizen_client.post(_step_url(submission, "listenhund"), {
        "erlaubnis_vorhanden": "ja", "versicherung": "Rheinland Versicherung 4711", "aktion": "weiter",
        "sachkunde": pdf_upload("sachkunde.pdf"), "versicherungsnachweis": pdf_upload("police.pdf")})
    assert response["Location"] == reverse("eforms:summary", args=[submission.pk])
    _submit(citizen_client, submission)
    submission.refresh_from_db()
    names = set(Document.objects.filter(case=submission.case).values_list("original_name", flat=True))
    assert {"kaufvertrag.pdf", "sachkunde.pdf", "police.pdf"} <= names


def test_changing_the_breed_drops_the_listed_dog_answers(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _owner(citizen_client, submission)
    _dog(citizen_client, submission, rasse="rottweiler")
    citizen_client.post(_step_url(submission, "listenhund"), {
        "erlaubnis_vorhanden": "ja", "versicherung": "Rheinland 4711", "aktion": "weiter",
        "sachkunde": pdf_upload("sachkunde.pdf"), "versicherungsnachweis": pdf_upload("police.pdf")})
    response = _dog(citizen_client, submission, rasse="dackel", nachweis_hund="")
    assert response["Location"] == reverse("eforms:summary", args=[submission.pk])
    _submit(citizen_client, submission)
    submission.refresh_from_db()
    assert "versicherung" not in submission.case.data["answers"]
    assert not Document.objects.filter(case=submission.case, original_name="sachkunde.pdf").exists()


def test_invalid_values_show_german_errors_linked_to_the_fields_and_keep_everything(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    response = citizen_client.post(_step_url(submission, "halter"), {
        "vorname": "Erika", "nachname": "", "geburtsdatum": "31.02.1980", "strasse": "Kaiserstraße",
        "hausnummer": "5", "plz": "50667", "email": "keine-mail", "weitere_hunde": "zwei", "aktion": "weiter"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte korrigieren Sie 5 Angaben." in html
    assert "Bitte geben Sie „Nachname“ an." in html
    assert "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ)." in html
    assert "Bitte eine Düsseldorfer Postleitzahl angeben (40210 bis 40629)." in html
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in html
    assert "Bitte geben Sie eine ganze Zahl an." in html
    assert re.search(r'id="feld-plz"[^>]*aria-describedby="feld-plz-hinweis feld-plz-fehler"[^>]*aria-invalid="true"',
                     html.replace("\n", " "))
    assert 'id="feld-plz-fehler"' in html
    assert 'value="Kaiserstraße"' in html and 'value="50667"' in html and 'value="zwei"' in html
    submission.refresh_from_db()
    assert submission.data["plz"] == "50667" and submission.data["strasse"] == "Kaiserstraße"


def test_date_ranges_are_checked(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    response = citizen_client.post(_step_url(submission, "halter"), {
        "vorname": "Kim", "nachname": "Jung", "geburtsdatum": "2020-01-01", "strasse": "Kö", "hausnummer": "1",
        "plz": "40212", "email": "kim@example.org", "weitere_hunde": "0", "aktion": "weiter"})
    assert "Das Datum darf nicht nach dem" in response.content.decode()


def test_rejected_upload_keeps_the_other_answers(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _owner(citizen_client, submission)
    fake = SimpleUploadedFile("nachweis.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = _dog(citizen_client, submission, nachweis_hund=fake, hundename="Luna")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="feld-nachweis_hund-fehler"' in html
    assert 'value="Luna"' in html
    submission.refresh_from_db()
    assert submission.data["hundename"] == "Luna" and "nachweis_hund" not in submission.data
    assert not Document.objects.filter(owner=submission.applicant).exists()


def test_save_and_resume(citizen_client, citizen, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _owner(citizen_client, submission)
    response = citizen_client.post(_step_url(submission, "hund"), {"hundename": "Bello", "aktion": "speichern"})
    assert response.status_code == 302
    drafts = list(services.drafts_for(citizen))
    assert drafts == [submission]
    # Meine Anträge's combined look-up finds the draft, and the page lists it.
    assert "drafts" in providers.present(citizen, {"drafts": services.ANY_DRAFT})
    assert drafts[0].get_absolute_url() in citizen_client.get(reverse("portal:list")).content.decode()
    drafts[0].refresh_from_db()
    assert drafts[0].get_absolute_url() == _step_url(submission, "hund")
    html = citizen_client.get(drafts[0].get_absolute_url()).content.decode()
    assert 'value="Bello"' in html
    start = citizen_client.get(reverse("eforms:start", args=["hund-anmelden"])).content.decode()
    assert "fortsetzen" in start
    response = citizen_client.post(_step_url(submission, "hund"), {"aktion": "zurueck", "hundename": "Bello"})
    assert response["Location"] == _step_url(submission, "halter")


def test_a_step_that_is_not_reachable_redirects(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    response = citizen_client.get(_step_url(submission, "listenhund"))
    assert response["Location"] == _step_url(submission, "halter")


def test_incomplete_draft_cannot_be_submitted(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    response = _submit(citizen_client, submission)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT and not Case.objects.exists()


def _complete_dog(client, submission):
    _owner(client, submission)
    _dog(client, submission)


def test_double_submit_creates_one_case(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, submission)
    submission.refresh_from_db()
    token = str(submission.token)
    url = reverse("eforms:summary", args=[submission.pk])
    first = citizen_client.post(url, {"token": token, "bestaetigung": "ja"})
    second = citizen_client.post(url, {"token": token, "bestaetigung": "ja"})
    assert first["Location"] == second["Location"] == reverse("eforms:done", args=[submission.pk])
    assert Case.objects.count() == 1


def test_stale_summary_token_is_refused(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, submission)
    response = citizen_client.post(reverse("eforms:summary", args=[submission.pk]),
                                   {"token": "00000000-0000-0000-0000-000000000000", "bestaetigung": "ja"})
    assert response.status_code == 302 and not Case.objects.exists()


def test_confirmation_checkbox_is_required(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, submission)
    submission.refresh_from_db()
    response = citizen_client.post(reverse("eforms:summary", args=[submission.pk]), {"token": str(submission.token)})
    assert response.status_code == 400
    assert "Bitte bestätigen Sie, dass Ihre Angaben richtig und vollständig sind." in response.content.decode()


def test_submissions_are_rate_limited(citizen_client, forms, settings):
    settings.EFORMS_SUBMISSIONS_PER_HOUR = 1
    first = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, first)
    _submit(citizen_client, first)
    second = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, second)
    response = _submit(citizen_client, second)
    assert response.status_code == 429
    assert "sehr viele Anträge" in response.content.decode()
    second.refresh_from_db()
    assert second.status == Submission.Status.DRAFT and Case.objects.count() == 1


def _certificate(client, submission, copies: int = 3):
    url = _step_url(submission, "urkunde")
    client.post(url, {"urkundenart": "geburt", "name_person": "Erika Mustermann", "datum_ereignis": "1980-05-17",
                      "berechtigung": "selbst", "zweck": "rente", "aktion": "weiter"})
    client.post(_step_url(submission, "exemplare"), {"anzahl": str(copies), "aktion": "weiter"})
    response = client.post(_step_url(submission, "versand"), {
        "vorname": "Erika", "nachname": "Mustermann", "strasse": "Kaiserstraße", "hausnummer": "5", "plz": "40479",
        "ort": "Düsseldorf", "email": "erika@example.org", "aktion": "weiter"})
    assert response["Location"] == reverse("eforms:summary", args=[submission.pk])


def test_certificate_with_fee_goes_through_payment(citizen_client, forms, django_capture_on_commit_callbacks):
    from smartcity.payments import services as payments
    from smartcity.payments.models import Payment

    submission = _start(citizen_client, "personenstandsurkunde")
    _certificate(citizen_client, submission)
    summary = citizen_client.get(reverse("eforms:summary", args=[submission.pk])).content.decode()
    assert "Zu zahlen: 24,00 €" in summary
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(citizen_client, submission)
    payment = Payment.objects.get()
    assert response["Location"] == payment.redirect_url
    assert payment.amount_cents == 2400 and payment.subject_id == str(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PAYMENT_PENDING
    assert submission.case.status == "zahlung_offen"

    with django_capture_on_commit_callbacks(execute=True):
        payments.apply_status(payment, "failed", source="webhook")
    submission.refresh_from_db()
    assert submission.payment_failed and submission.status == Submission.Status.PAYMENT_PENDING
    html = citizen_client.get(reverse("eforms:done", args=[submission.pk])).content.decode()
    assert "Zahlung erneut starten" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(reverse("eforms:pay", args=[submission.pk]))
    retry = Payment.objects.exclude(pk=payment.pk).get()
    assert response["Location"] == retry.redirect_url
    with django_capture_on_commit_callbacks(execute=True):
        payments.apply_status(retry, "paid", source="webhook")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and not submission.payment_failed
    assert submission.case.status == "eingegangen"
    assert citizen_client.post(reverse("eforms:pay", args=[submission.pk])).status_code == 302
    assert Payment.objects.count() == 2


def test_other_citizens_get_404_everywhere(client, citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    other = make_citizen()
    login_citizen(client, other)
    for url in [_step_url(submission, "halter"), reverse("eforms:summary", args=[submission.pk]),
                reverse("eforms:done", args=[submission.pk])]:
        assert client.get(url).status_code == 404, url
    for url in [reverse("eforms:pay", args=[submission.pk]), reverse("eforms:delete", args=[submission.pk]),
                _step_url(submission, "halter")]:
        assert client.post(url, {"aktion": "weiter"}).status_code == 404, url
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_delete_draft(citizen_client, citizen, forms):
    submission = _start(citizen_client, "hund-anmelden")
    response = citizen_client.post(reverse("eforms:delete", args=[submission.pk]))
    assert response.status_code == 302
    assert not Submission.objects.filter(pk=submission.pk).exists()
    assert AuditEvent.objects.filter(action="eforms.draft_deleted").exists()


def test_trust_level_is_enforced(client, forms):
    form = forms["hund-anmelden"]
    form.definition["trust_level"] = "hoch"
    form.save()
    login_citizen(client, make_citizen(trust_level="substantiell"))
    response = client.post(reverse("eforms:new", args=["hund-anmelden"]))
    assert reverse("accounts:step_up") in response["Location"]


def test_english_form_labels(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    citizen_client.cookies["django_language"] = "en"
    html = citizen_client.get(_step_url(submission, "halter"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "First name" in html and "Owner" in html


def test_drafts_appear_in_meine_antraege(citizen_client, forms):
    submission = _start(citizen_client, "hund-anmelden")
    html = citizen_client.get(reverse("portal:list")).content.decode()
    assert "Noch nicht abgeschickt" in html and submission.get_absolute_url() in html


def test_back_office_shows_the_readable_summary(citizen_client, forms):
    from django.test import Client

    from smartcity.accounts.testing import login_staff, make_staff

    submission = _start(citizen_client, "hund-anmelden")
    _complete_dog(citizen_client, submission)
    _submit(citizen_client, submission)
    submission.refresh_from_db()
    staff = Client()
    login_staff(staff, make_staff("steueramt"))
    html = staff.get(reverse("backoffice:case", args=[submission.case.reference])).content.decode()
    assert "Ihr Hund" in html and "Labrador Retriever" in html and "kaufvertrag.pdf" in html
