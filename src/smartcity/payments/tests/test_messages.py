"""User-facing payment errors in the citizen's language (formal German first, English second), and precise,
stable error codes for API clients (payment providers calling the webhook)."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from smartcity.accounts.testing import login_citizen, login_staff, make_staff
from smartcity.payments import domain, services
from smartcity.payments.contrib.simulator.models import SimulatorTransaction
from smartcity.payments.plugins import signing
from smartcity.payments.plugins.base import ProviderError

from .conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("language, action, expected", [
    ("de", "fail", "Die Zahlung ist fehlgeschlagen. Ihr Antrag ist gespeichert; Sie können die Zahlung erneut "
                   "starten."),
    ("en", "fail", "The payment failed."),
    ("de", "cancel", "Die Zahlung wurde abgebrochen."),
    ("en", "cancel", "The payment was cancelled."),
])
def test_failed_or_cancelled_payment_message_in_the_citizens_language(client, citizen, start, calls, language,
                                                                      action, expected):
    login_citizen(client, citizen)
    payment = start()
    client.post(payment.redirect_url, {"action": action})
    back = client.get(reverse("payments:return", args=[payment.pk]), follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert expected in _messages(back)
    payment.refresh_from_db()
    assert payment.status in ("failed", "cancelled") and calls == [("failed", str(payment.pk))]


@pytest.mark.parametrize("language, expected", [
    ("de", "Der Zahlungsdienst ist gerade nicht erreichbar, daher kennen wir das Ergebnis Ihrer Zahlung noch nicht."),
    ("en", "The payment service is not available at the moment, so we do not know the result of your payment yet."),
])
def test_return_while_the_provider_is_down_says_so_and_changes_nothing(client, citizen, start, calls, settings,
                                                                       no_webhooks, language, expected):
    login_citizen(client, citizen)
    payment = start()
    settle(payment, "paid")
    settings.PAYMENTS_SIMULATOR_ENABLED = False  # the simulator now answers like a provider that is down
    response = client.get(reverse("payments:return", args=[payment.pk]), follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert response.redirect_chain[-1][0] == reverse("payments:status", args=[payment.pk])
    assert expected in _messages(response)
    payment.refresh_from_db()
    assert payment.status == "pending" and calls == []


@pytest.mark.parametrize("language, expected", [
    ("de", "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut"),
    ("en", "The payment service is not available at the moment. Please try again later"),
])
def test_provider_down_at_start_is_told_in_the_active_language(start, settings, calls, language, expected):
    settings.PAYMENTS_SIMULATOR_ENABLED = False
    with translation.override(language), pytest.raises(services.PaymentUnavailable) as error:
        start()
    assert str(error.value).startswith(expected)
    assert calls[0][0] == "failed"  # the payment is marked failed; the subject stays resumable


@pytest.mark.parametrize("language, amount, expected", [
    ("de", "30,00", "Höchstens 25,00 € können noch erstattet werden."),
    ("en", "30.00", "At most €25.00 can still be refunded."),
])
def test_refund_above_what_is_left_is_refused_in_the_staff_members_language(client, start, settings, language,
                                                                            amount, expected):
    login_staff(client, make_staff(settings.PAYMENTS_CASH_OFFICE_DEPARTMENT))
    payment = start()
    settle(payment, "paid")
    services.refresh_from_provider(payment, source=services.Source.RETURN)
    response = client.post(reverse("payments:cash-refund", args=[payment.pk]), {"amount": amount, "reason": "Test"},
                           HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and expected in response.content.decode()


@pytest.mark.parametrize("language, expected", [
    ("de", "Der Verwendungszweck darf höchstens 27 Zeichen lang sein (jetzt 30)."),
    ("en", "The booking text may be at most 27 characters long (now 30)."),
])
def test_rule_errors_keep_german_str_and_translate_for_people(language, expected):
    with pytest.raises(domain.InvalidPurpose) as error:
        domain.normalise_purpose("x" * 30)
    assert str(error.value) == "Der Verwendungszweck darf höchstens 27 Zeichen lang sein (jetzt 30)."
    with translation.override(language):
        assert services.user_message(error.value) == expected


def test_amount_must_be_positive_is_a_rule_error(start):
    with pytest.raises(ValueError, match="Der Betrag muss größer als 0 sein.") as error:
        start(amount_cents=0)
    with translation.override("en"):
        assert services.user_message(error.value) == "The amount must be greater than 0."


def test_user_message_passes_other_errors_through():
    assert services.user_message(ProviderError("down")) == "down"


# --- API clients: the webhook --------------------------------------------------------------------------------

def _post(client, body: bytes, secret: str | None = None):
    from django.conf import settings

    header = signing.signature_header(body, settings.PAYMENTS_SIMULATOR_WEBHOOK_SECRET if secret is None else secret)
    return client.generic("POST", reverse("payments:webhook", args=["simulator"]), body,
                          content_type="application/json", headers={"X-Simulator-Signature": header})


@pytest.mark.parametrize("body, status, code, detail", [
    (b"not json", 400, "payload_not_json", "Body is not valid JSON (UTF-8)."),
    (b"[1, 2]", 400, "payload_invalid", "Body must be a JSON object, not list."),
    (b'{"status": "paid"}', 400, "payload_invalid", "Missing or empty field(s): eventId, transactionId."),
    (b'{"eventId": "e1", "transactionId": "", "status": "paid"}', 400, "payload_invalid",
     "Missing or empty field(s): transactionId."),
    (b'{"eventId": "e1", "transactionId": "t1", "status": "done"}', 400, "status_unknown",
     "Unknown status 'done'; expected one of: cancelled, failed, open, paid."),
    (b'{"eventId": "e1", "transactionId": "t1", "status": "paid"}', 404, "unknown_transaction",
     "No payment for transaction 't1' at provider 'simulator'."),
])
def test_bad_webhook_bodies_get_a_precise_code_and_detail(client, body, status, code, detail):
    response = _post(client, body)
    assert response.status_code == status
    assert response.json() == {"error": code, "detail": detail}


def test_bad_signature_is_refused_before_the_body_is_read(client):
    response = _post(client, b"not json", secret="wrong")
    assert response.status_code == 403 and response.json()["error"] == "signature_invalid"


def test_webhook_for_unknown_provider(client):
    response = client.post(reverse("payments:webhook", args=["nobody"]), b"{}", content_type="application/json")
    assert response.status_code == 404 and response.json()["error"] == "unknown_provider"


def test_webhook_answer_does_not_depend_on_accept_language(client, start, no_webhooks):
    payment = start()
    tx = SimulatorTransaction.objects.get(pk=payment.provider_reference)
    body = json.dumps({"eventId": "e9", "transactionId": str(tx.pk), "status": "bogus"}).encode()
    german, english = _post(client, body).json(), None
    with translation.override("en"):
        english = _post(client, body).json()
    assert german == english and german["error"] == "status_unknown"
