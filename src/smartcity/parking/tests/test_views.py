import datetime as dt

import pytest
from django.urls import reverse

from smartcity.accounts.models import TrustLevel
from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.parking import services
from smartcity.parking.models import Application, Permit, SimulatedVehicle
from smartcity.parking.registers.contrib.simulator.models import SimulatedOutage

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_erika(client, resident):
    login_citizen(client, resident)
    return client


def post_application(client, **overrides):
    data = {"plate": "d-em 1234", "vin_suffix": "4711", "months": "12", "second_plate": "",
            "special_circumstances": ""}
    data.update(overrides)
    return client.post(reverse("parking:apply"), data)


def test_start_page_is_public_and_checks_an_address(client, resident):
    response = client.get(reverse("parking:start"), {"street": "Kaiserstr.", "house_number": "5",
                                                     "postcode": "40479"})
    assert response.status_code == 200
    assert "liegt im Bewohnerparkgebiet GP" in response.content.decode()
    assert "25,00 €" in response.content.decode()


def test_apply_needs_login_and_substantial_trust(client, resident):
    assert client.get(reverse("parking:apply")).status_code == 302
    weak = make_citizen(trust_level=TrustLevel.BASIC)
    login_citizen(client, weak)
    response = client.get(reverse("parking:apply"))
    assert response.status_code == 302 and "step" in response["Location"].replace("_", "-").lower() or \
        "level=substantiell" in response["Location"]


def test_standard_case_through_the_pages(client_erika, django_capture_on_commit_callbacks, settings):
    settings.PAYMENTS_SIMULATOR_WEBHOOKS = "off"
    response = post_application(client_erika)
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("parking:application", args=[app.pk])
    page = client_erika.get(response["Location"]).content.decode()
    assert "Jetzt 25,00 € bezahlen" in page and "§ 35a VwVfG" in page and "Rechtsbehelfsbelehrung" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_erika.post(reverse("parking:application_pay", args=[app.pk]))
    assert response.status_code == 302
    from smartcity.payments.contrib.simulator.models import SimulatorTransaction
    from smartcity.payments.models import Payment

    app.refresh_from_db()
    payment = Payment.objects.get(pk=app.payment_id)
    assert payment.purpose.startswith("Parkausweis BP-") and len(payment.purpose) <= 27
    SimulatorTransaction.objects.filter(pk=payment.provider_reference).update(status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        back = client_erika.get(reverse("payments:return", args=[payment.pk]))
    assert back["Location"] == reverse("parking:application", args=[app.pk])
    permit = Permit.objects.get(application=app)
    page = client_erika.get(back["Location"]).content.decode()
    assert "Ausweis herunterladen" in page
    download = client_erika.get(reverse("parking:permit_download", args=[permit.pk]))
    assert download.status_code == 302
    pdf = client_erika.get(download["Location"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:4] \
        == b"%PDF"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("plate", "DEM1234", "nicht das deutsche Format"),
    ("plate", "", "Dieses Feld ist zwingend erforderlich"),
    ("vin_suffix", "47", "genau die letzten 4 Zeichen"),
    ("months", "36", "keine gültige Auswahl"),
    ("second_plate", "XX", "deutsche Format"),
])
def test_bad_inputs_show_a_german_message_and_keep_the_input(client_erika, field, value, message):
    response = post_application(client_erika, **{field: value})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'aria-invalid="true"' in page and f'id="id_{field}-error"' in page
    assert "Dieses Feld" in page or value in page  # what was typed is still there
    assert not Application.objects.exists()


def test_wrong_vin_keeps_the_draft_and_can_be_corrected(client_erika):
    response = post_application(client_erika, vin_suffix="1111")
    app = Application.objects.get()
    page = client_erika.get(response["Location"]).content.decode()
    assert "FIN passen nicht" in page and "Angaben korrigieren" in page
    edit = client_erika.get(reverse("parking:application_edit", args=[app.pk])).content.decode()
    assert 'value="D-EM 1234"' in edit and 'value="1111"' in edit
    client_erika.post(reverse("parking:application_edit", args=[app.pk]),
                      {"plate": "D-EM 1234", "vin_suffix": "4711", "months": "12"})
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT


def test_register_timeout_is_explained_and_nothing_is_lost(client_erika):
    SimulatedVehicle.objects.update(simulate=SimulatedOutage.ERROR)
    response = post_application(client_erika)
    page = client_erika.get(response["Location"]).content.decode()
    assert "nicht erreichbar" in page and "D-EM 1234" in page
    assert Application.objects.get().status == Application.Status.WAITING_REGISTER


def test_other_citizens_cannot_see_or_act_on_my_application(client, resident):
    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    services.submit(app)
    login_citizen(client, make_citizen())
    for name in ("parking:application", "parking:application_edit"):
        assert client.get(reverse(name, args=[app.pk])).status_code == 404
    for name in ("parking:application_pay", "parking:application_withdraw", "parking:application_statement"):
        assert client.post(reverse(name, args=[app.pk])).status_code == 404


def test_other_citizens_cannot_see_my_permit(client, resident, zone):
    app = Application.objects.create(reference="BP-T", applicant=resident, plate="D-EM 1234", vin_suffix="4711",
                                     months=12)
    permit = Permit.objects.create(number="GP-26-T", holder=resident, plate="D-EM 1234", zone=zone,
                                   application=app, valid_from=dt.date.today(),
                                   valid_until=dt.date.today() + dt.timedelta(days=300),
                                   issued_at=dt.datetime.now(dt.UTC))
    login_citizen(client, make_citizen())
    for name in ("parking:permit", "parking:permit_download", "parking:renew", "parking:cancel"):
        assert client.get(reverse(name, args=[permit.pk])).status_code == 404


def test_submissions_are_rate_limited_without_losing_input(client_erika):
    for _ in range(20):
        post_application(client_erika, plate="DEM1234")
    response = post_application(client_erika, plate="D-EM 1234")
    page = response.content.decode()
    assert response.status_code == 200 and "sehr viele Anträge" in page and 'value="D-EM 1234"' in page
    assert not Application.objects.exists()


def test_fee_shown_before_the_register_check_respects_length_bands(client_erika):
    config = services.get_config()
    config.fees = [{**row, "length_to_mm": 4709} for row in config.fees] + [
        {"channel": "online", "zone": "*", "length_from_mm": 4710, "length_to_mm": None, "months": 12,
         "cents": 3500}]
    config.save()
    form_page = client_erika.get(reverse("parking:apply")).content.decode()
    assert "12 Monate – 25,00 € – 35,00 €" in form_page and "24 Monate – 50,00 €" in form_page
    start_page = client_erika.get(reverse("parking:start")).content.decode()
    assert "25,00 € – 35,00 €" in start_page
    post_application(client_erika)  # the simulator's car is 4250 mm: the lower band applies
    assert Application.objects.get().fee_cents == 2500


@pytest.mark.parametrize(("field", "value", "message"), [
    ("plate", "DEM1234", "not in the German format"),
    ("vin_suffix", "47", "exactly the last 4 characters of the VIN"),
    ("second_plate", "XX", "German format"),
])
def test_bad_inputs_show_an_english_message_in_the_english_ui(client_erika, field, value, message):
    response = client_erika.post(reverse("parking:apply"), {
        "plate": "d-em 1234", "vin_suffix": "4711", "months": "12", "second_plate": "",
        "special_circumstances": "", field: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and message in response.content.decode()
    assert not Application.objects.exists()


def test_service_errors_are_shown_in_english(client_erika):
    post_application(client_erika)
    application = Application.objects.get()
    client_erika.post(reverse("parking:application_withdraw", args=[application.pk]))
    response = client_erika.post(reverse("parking:application_withdraw", args=[application.pk]),
                                 HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "This application can no longer be withdrawn." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert "Meldedaten" in [check["title"] for check in application.decisions.first().checks]  # stays German
