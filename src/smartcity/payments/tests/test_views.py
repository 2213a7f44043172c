import csv
import io
import time

import pytest
from django.urls import reverse

from smartcity.accounts.testing import login_citizen, login_staff, make_staff
from smartcity.audit.models import AuditEvent
from smartcity.payments import services
from smartcity.payments.contrib.simulator.models import SimulatorTransaction
from smartcity.payments.models import Payment

from .conftest import settle, webhook_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def citizen_client(client, citizen):
    login_citizen(client, citizen)
    return client


def _simulate(client, payment, action):
    return client.post(payment.redirect_url, {"action": action})


@pytest.mark.parametrize(("action", "status", "outcome", "message"), [
    ("pay", "paid", "paid", "Zahlung ist eingegangen"),
    ("cancel", "cancelled", "failed", "abgebrochen"),
    ("fail", "failed", "failed", "fehlgeschlagen"),
])
def test_citizen_round_trip(citizen_client, start, calls, action, status, outcome, message):
    payment = start()
    page = citizen_client.get(payment.redirect_url)
    assert page.status_code == 200 and payment.kassenzeichen in page.content.decode()
    response = _simulate(citizen_client, payment, action)
    assert response.status_code == 302 and response.url == f"/bezahlen/{payment.pk}/rueckkehr/"
    back = citizen_client.get(response.url, follow=True)
    assert back.redirect_chain[-1][0] == "/meine-antraege/"
    assert message in " ".join(str(m) for m in back.context["messages"])
    payment.refresh_from_db()
    assert payment.status == status
    assert calls == [(outcome, str(payment.pk))]


def test_return_trusts_provider_not_url(citizen_client, start, calls, no_webhooks):
    payment = start()
    response = citizen_client.get(reverse("payments:return", args=[payment.pk]) + "?status=paid&paid=1")
    assert response.status_code == 302 and response.url == reverse("payments:status", args=[payment.pk])
    payment.refresh_from_db()
    assert payment.status == "pending" and calls == []
    page = citizen_client.get(response.url)
    assert "noch keine Bestätigung" in page.content.decode()


def test_double_return_and_late_webhook_call_handler_once(citizen_client, start, calls, no_webhooks):
    payment = start()
    tx = settle(payment, "paid")
    citizen_client.get(reverse("payments:return", args=[payment.pk]))
    citizen_client.get(reverse("payments:return", args=[payment.pk]))
    body, headers = webhook_for(tx)
    response = citizen_client.generic("POST", reverse("payments:webhook", args=["simulator"]), body,
                                      content_type="application/json",
                                      headers={"X-Simulator-Signature": headers["X-Simulator-Signature"]})
    assert response.status_code == 200 and response.json() == {"status": "paid"}
    assert calls == [("paid", str(payment.pk))]
    assert not AuditEvent.objects.filter(action="payment.late_payment").exists()


def test_simulator_page_is_single_use(citizen_client, start, calls):
    payment = start()
    _simulate(citizen_client, payment, "pay")
    _simulate(citizen_client, payment, "fail")  # back button, second click
    assert SimulatorTransaction.objects.get(pk=payment.provider_reference).status == "paid"
    assert "bereits abgeschlossen" in citizen_client.get(payment.redirect_url).content.decode()
    assert calls == [("paid", str(payment.pk))]


def test_simulator_rejects_unknown_action(citizen_client, start):
    payment = start()
    response = _simulate(citizen_client, payment, "steal")
    assert response.status_code == 400 and "angebotenen Aktionen" in response.content.decode()


def test_simulator_can_be_switched_off(citizen_client, start, settings):
    payment = start()
    settings.PAYMENTS_SIMULATOR_ENABLED = False
    assert citizen_client.get(payment.redirect_url).status_code == 404


def test_other_citizen_gets_404(client, start, other_citizen):
    payment = start()
    login_citizen(client, other_citizen)
    assert client.get(reverse("payments:status", args=[payment.pk])).status_code == 404
    assert client.get(reverse("payments:return", args=[payment.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, start):
    payment = start()
    response = client.get(reverse("payments:status", args=[payment.pk]))
    assert response.status_code == 302 and "/konto/" in response.url


@pytest.mark.parametrize(("mangle", "status", "code"), [
    (lambda body, sig: (body, None), 400, "signature_missing"),
    (lambda body, sig: (body, "garbage"), 400, "signature_malformed"),
    (lambda body, sig: (body.replace(b"paid", b"PAID"), sig), 403, "signature_invalid"),
    (lambda body, sig: (body, "t=1600000000," + sig.split(",")[1]), 403, "signature_expired"),
])
def test_webhook_endpoint_rejections(client, start, calls, no_webhooks, mangle, status, code):
    payment = start()
    body, headers = webhook_for(settle(payment, "paid"))
    body, sig = mangle(body, headers["X-Simulator-Signature"])
    extra = {"X-Simulator-Signature": sig} if sig else {}
    response = client.generic("POST", reverse("payments:webhook", args=["simulator"]), body,
                              content_type="application/json", headers=extra)
    assert response.status_code == status and response.json()["error"] == code
    payment.refresh_from_db()
    assert payment.status == "pending" and calls == [] and payment.events.count() == 1


def test_webhook_with_valid_signature_but_bad_payload(client, start, no_webhooks):
    from smartcity.payments.plugins import signing

    body = b'{"eventId": "x"}'
    sig = signing.signature_header(body, "simulator-demo-secret")
    response = client.generic("POST", reverse("payments:webhook", args=["simulator"]), body,
                              content_type="application/json", headers={"X-Simulator-Signature": sig})
    assert response.status_code == 400 and response.json()["error"] == "payload_invalid"


def test_webhook_expired_signature_within_replay_window_setting(client, start, no_webhooks, settings):
    settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = 60
    payment = start()
    body, headers = webhook_for(settle(payment, "paid"), timestamp=int(time.time()) - 61)
    response = client.generic("POST", reverse("payments:webhook", args=["simulator"]), body,
                              content_type="application/json", headers=headers)
    assert response.status_code == 403 and response.json()["error"] == "signature_expired"


# --- Kasse ---

@pytest.fixture
def cash_clerk(db):
    return make_staff("stadtkasse")


def test_cash_office_list_filter_search_and_export(client, cash_clerk, start):
    paid, pending = start(purpose="-1+1 Gebühr"), start(purpose="Hundesteuer")
    services.apply_status(paid, "paid", source="return")
    login_staff(client, cash_clerk)
    page = client.get(reverse("payments:cash-list"), {"status": "paid"}).content.decode()
    assert paid.kassenzeichen in page and pending.kassenzeichen not in page
    page = client.get(reverse("payments:cash-list"), {"q": pending.kassenzeichen[:10]}).content.decode()
    assert pending.kassenzeichen in page
    bad = client.get(reverse("payments:cash-list"), {"von": "gestern"}).content.decode()
    assert "JJJJ-MM-TT" in bad
    response = client.get(reverse("payments:cash-export"), {"status": "paid"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][0] == "Kassenzeichen" and len(rows) == 2
    assert rows[1][:4] == [paid.kassenzeichen, "25,00", "EUR", "'-1+1 Gebühr"]
    assert AuditEvent.objects.filter(action="payment.exported", actor=cash_clerk).exists()
    detail = client.get(reverse("payments:cash-detail", args=[paid.pk]))
    assert detail.status_code == 200 and "bezahlt" in detail.content.decode()
    assert AuditEvent.objects.filter(action="payment.viewed", actor=cash_clerk, object_id=str(paid.pk)).exists()


def test_cash_office_is_closed_to_citizens_other_staff_and_unverified(client, cash_clerk, citizen, start):
    start()
    url = reverse("payments:cash-list")
    assert client.get(url).status_code == 302
    login_citizen(client, citizen)
    assert client.get(url).status_code == 403
    login_staff(client, make_staff("verkehrsmanagement"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("payments:cash-export")).status_code == 403
    login_citizen(client, cash_clerk)  # password only, no TOTP
    response = client.get(url)
    assert response.status_code == 302 and "/konto/" in response.url
    assert Payment.objects.count() == 1


def test_cash_office_refund_form(client, cash_clerk, start):
    payment = start(amount_cents=5000)
    services.apply_status(payment, "paid", source="return")
    settle(payment, "paid")
    login_staff(client, cash_clerk)
    url = reverse("payments:cash-refund", args=[payment.pk])
    bad = client.post(url, {"amount": "zwölf", "reason": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "als Zahl an" in text and "einen Grund an" in text and 'aria-describedby="id_amount-error"' in text
    too_much = client.post(url, {"amount": "50,01", "reason": "Doppelt bezahlt"})
    assert too_much.status_code == 400 and "Höchstens 50,00 €" in too_much.content.decode()
    ok = client.post(url, {"amount": "12,50", "reason": "Doppelt bezahlt"}, follow=True)
    assert "Erstattung wurde ausgeführt" in ok.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 1250)
    assert payment.refunds.get().requested_by == cash_clerk


def test_cash_office_retries_failed_refund(client, cash_clerk, start, monkeypatch):
    from smartcity.payments.plugins import registry
    from smartcity.payments.plugins.base import ProviderError

    payment = start()
    services.apply_status(payment, "paid", source="return")
    settle(payment, "paid")
    simulator = registry.get("simulator")
    working = simulator.refund

    def down(*args, **kwargs):
        raise ProviderError("503")

    monkeypatch.setattr(simulator, "refund", down)
    login_staff(client, cash_clerk)
    response = client.post(reverse("payments:cash-refund", args=[payment.pk]),
                           {"amount": "25,00", "reason": "Rückgabe"}, follow=True)
    assert "kann später wiederholt werden" in response.content.decode()
    refund = payment.refunds.get()
    assert refund.status == "failed"
    retry = reverse("payments:cash-retry-refund", args=[refund.pk])
    assert "erneut fehlgeschlagen" in client.post(retry, follow=True).content.decode()
    monkeypatch.setattr(simulator, "refund", working)
    client.post(retry)
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == "completed" and payment.status == "refunded"
    client.post(retry)  # a second click changes nothing
    payment.refresh_from_db()
    assert payment.refunded_cents == 2500


def test_back_office_navigation_links_the_kasse_only_for_the_cash_office(client, cash_clerk):
    kasse = reverse("payments:cash-list")
    login_staff(client, cash_clerk)
    assert f'href="{kasse}"' in client.get(reverse("backoffice:queue")).content.decode()
    login_staff(client, make_staff("verkehrsmanagement"))
    assert f'href="{kasse}"' not in client.get(reverse("backoffice:queue")).content.decode()
