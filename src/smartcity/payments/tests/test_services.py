from datetime import timedelta

import pytest
from django.utils import timezone

from smartcity.audit.models import AuditEvent
from smartcity.payments import domain, handlers, services
from smartcity.payments.contrib.simulator.models import SimulatorTransaction
from smartcity.payments.models import HandlerCall, Payment, Refund
from smartcity.payments.plugins import registry
from smartcity.payments.plugins.base import ProviderError

from .conftest import LABEL, settle, webhook_for

# Real commits: handlers run from transaction.on_commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_start_payment_creates_payment_and_provider_transaction(start, citizen, subject):
    payment = start()
    assert domain.kassenzeichen_is_valid(payment.kassenzeichen)
    assert payment.status == "pending" and payment.currency == "EUR"
    assert (payment.subject_label, payment.subject_id, payment.subject) == (LABEL, str(subject.pk), subject)
    assert payment.redirect_url == f"/bezahlen/simulator/{payment.provider_reference}/"
    tx = SimulatorTransaction.objects.get(pk=payment.provider_reference)
    assert (tx.kassenzeichen, tx.amount_cents, tx.purpose) == (payment.kassenzeichen, 2500, payment.purpose)
    assert tx.redirect_url == f"/bezahlen/{payment.pk}/rueckkehr/"
    assert AuditEvent.objects.filter(action="payment.created", object_id=str(payment.pk)).exists()


def test_default_subject_label_is_the_model_label(citizen, subject):
    payment = services.start_payment(amount_cents=100, purpose="Test", payer=citizen, subject=subject,
                                     return_url="/")
    assert payment.subject_label == "accounts.department"


@pytest.mark.parametrize(("amount", "purpose", "error"), [
    (2500, "X" * 28, domain.InvalidPurpose), (2500, "Zone <HO>", domain.InvalidPurpose), (0, "Test", ValueError),
])
def test_bad_input_creates_nothing(start, amount, purpose, error):
    with pytest.raises(error):
        start(amount_cents=amount, purpose=purpose)
    assert not Payment.objects.exists() and not SimulatorTransaction.objects.exists()


def test_provider_outage_at_start_fails_payment_and_calls_on_failed(start, calls, monkeypatch):
    def down(*args, **kwargs):
        raise ProviderError("timeout")

    monkeypatch.setattr(registry.get("simulator"), "create_transaction", down)
    with pytest.raises(services.PaymentUnavailable, match="nicht erreichbar"):
        start()
    payment = Payment.objects.get()
    assert payment.status == "failed"
    assert calls == [("failed", str(payment.pk))]


def test_paid_via_webhook_calls_on_paid_once(start, calls):
    payment = start()
    tx = settle(payment, "paid")
    body, headers = webhook_for(tx)
    result = services.handle_webhook("simulator", body, headers)
    assert result.http_status == 200 and result.payment.status == "paid"
    assert calls == [("paid", str(payment.pk))]
    payment.refresh_from_db()
    assert payment.paid_at and payment.closed_at
    assert HandlerCall.objects.get(payment=payment).handler.endswith("<lambda>")


def test_replayed_webhook_changes_nothing(start, calls):
    payment = start()
    body, headers = webhook_for(settle(payment, "paid"), event_id="evt-1")
    for _ in range(3):
        assert services.handle_webhook("simulator", body, headers).http_status == 200
    assert calls == [("paid", str(payment.pk))]
    assert payment.events.filter(provider_event_id="evt-1").count() == 1
    assert payment.events.count() == 2  # created + paid


def test_out_of_order_webhooks_never_move_backwards(start, calls):
    payment = start()
    tx = SimulatorTransaction.objects.get(pk=payment.provider_reference)
    stale_pending = webhook_for(tx, event_id="evt-open")  # sent first, arrives last
    tx = settle(payment, "paid")
    paid = webhook_for(tx, event_id="evt-paid")
    services.handle_webhook("simulator", *paid)
    services.handle_webhook("simulator", *stale_pending)
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert calls == [("paid", str(payment.pk))]
    ignored = payment.events.get(provider_event_id="evt-open")
    assert not ignored.applied and ignored.to_status == "pending"


def test_webhook_for_unknown_transaction(start):
    payment = start()
    tx = settle(payment, "paid")
    tx.pk = "00000000-0000-0000-0000-000000000000"
    result = services.handle_webhook("simulator", *webhook_for(tx))
    assert (result.http_status, result.body["error"]) == (404, "unknown_transaction")
    assert services.handle_webhook("nope", b"{}", {}).http_status == 404


def test_bad_signature_changes_nothing(start, calls):
    payment = start()
    body, headers = webhook_for(settle(payment, "paid"), secret="falsch")
    result = services.handle_webhook("simulator", body, headers)
    assert (result.http_status, result.body["error"]) == (403, "signature_invalid")
    payment.refresh_from_db()
    assert payment.status == "pending" and calls == []


def test_late_paid_report_on_cancelled_payment_is_recorded_not_applied(start, calls):
    payment = start()
    services.apply_status(payment, "cancelled", source="expire")
    services.apply_status(payment, "paid", source="webhook", event_id="late")
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert calls == [("failed", str(payment.pk))]
    assert AuditEvent.objects.filter(action="payment.late_payment", object_id=str(payment.pk)).exists()


def test_handler_exactly_once_even_when_retried(start, calls):
    payment = start()
    services.apply_status(payment, "paid", source="return")
    assert services.run_handler(str(payment.pk), "paid") is False  # a redelivered task
    assert calls == [("paid", str(payment.pk))]


def test_failing_handler_records_nothing_and_runs_again_on_retry(start, monkeypatch):
    attempts = []

    def flaky(payment):
        attempts.append(payment.pk)
        if len(attempts) == 1:
            Payment.objects.filter(pk=payment.pk).update(description="half done")  # rolled back with the call
            raise RuntimeError("worker died")

    handlers.register(LABEL, on_paid=flaky)
    payment = start()
    monkeypatch.setattr(services, "_queue_handler", lambda *a: None)  # the broker is down
    services.apply_status(payment, "paid", source="return")
    with pytest.raises(RuntimeError):
        services.run_handler(str(payment.pk), "paid")
    payment.refresh_from_db()
    assert payment.description == "" and not HandlerCall.objects.exists()
    assert services.run_handler(str(payment.pk), "paid") is True
    assert services.run_handler(str(payment.pk), "paid") is False
    assert len(attempts) == 2 and HandlerCall.objects.count() == 1


def test_reconciliation_requeues_lost_handler_calls(start, calls, monkeypatch):
    payment = start()
    with monkeypatch.context() as m:
        m.setattr(services, "_queue_handler", lambda *a: None)  # lost on the way
        services.apply_status(payment, "paid", source="return")
    assert calls == []
    Payment.objects.filter(pk=payment.pk).update(closed_at=timezone.now() - timedelta(minutes=5))
    assert services.reconcile().handlers_requeued == 1
    assert calls == [("paid", str(payment.pk))]
    assert services.reconcile().handlers_requeued == 0


def _age(payment, minutes):
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_reconciliation_polls_old_pending_payments(start, calls, no_webhooks):
    fresh, old = start(), start()
    settle(fresh, "paid")
    settle(old, "paid")
    _age(old, 20)
    report = services.reconcile()
    assert (report.checked, report.changed, report.expired) == (1, 1, 0)
    assert Payment.objects.get(pk=old.pk).status == "paid"
    assert Payment.objects.get(pk=fresh.pk).status == "pending"  # too young: the citizen may still be paying
    assert calls == [("paid", str(old.pk))]


def test_abandoned_payment_is_cancelled_at_provider_and_here(start, calls, settings):
    payment = start()
    _age(payment, settings.PAYMENTS_EXPIRE_AFTER_MINUTES + 1)
    assert services.reconcile().expired == 1
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert SimulatorTransaction.objects.get(pk=payment.provider_reference).status == "cancelled"
    assert calls == [("failed", str(payment.pk))]
    assert services.reconcile().checked == 0  # idempotent


def test_reconciliation_survives_provider_outage(start, calls, monkeypatch, settings):
    payment = start()
    _age(payment, settings.PAYMENTS_EXPIRE_AFTER_MINUTES + 1)

    def down(*args, **kwargs):
        raise ProviderError("503")

    monkeypatch.setattr(registry.get("simulator"), "fetch_status", down)
    monkeypatch.setattr(registry.get("simulator"), "cancel", down)
    report = services.reconcile()
    assert (report.checked, report.expired) == (1, 0)
    assert Payment.objects.get(pk=payment.pk).status == "pending" and calls == []


def test_full_and_partial_refunds(start, citizen):
    payment = start(amount_cents=5000)
    services.apply_status(payment, "paid", source="return")
    settle(payment, "paid")
    first = services.refund(payment, 2000, reason="Rückgabe nach 12 Monaten anteilig", actor=citizen)
    payment.refresh_from_db()
    assert first.status == Refund.Status.COMPLETED and first.provider_reference.startswith("SIM-R-")
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 2000)
    with pytest.raises(ValueError, match="Höchstens 30,00 €"):
        services.refund(payment, 3001, reason="zu viel")
    services.refund(payment, 3000, reason="Rest")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_cents) == ("refunded", 5000)
    assert SimulatorTransaction.objects.get(pk=payment.provider_reference).refunded_cents == 5000
    actions = list(AuditEvent.objects.filter(object_id=str(payment.pk)).values_list("action", flat=True))
    assert actions.count("payment.refund_requested") == 2


def test_refund_of_unpaid_payment_is_refused(start):
    payment = start()
    with pytest.raises(ValueError, match="Nur bezahlte"):
        services.refund(payment, 100, reason="x")
    assert not Refund.objects.exists()


def test_refund_provider_outage_is_recorded(start, monkeypatch):
    payment = start()
    services.apply_status(payment, "paid", source="return")

    def down(*args, **kwargs):
        raise ProviderError("503")

    monkeypatch.setattr(registry.get("simulator"), "refund", down)
    with pytest.raises(ProviderError):
        services.refund(payment, 100, reason="x")
    payment.refresh_from_db()
    assert payment.status == "paid" and Refund.objects.get().status == Refund.Status.FAILED


def test_gdpr_export_and_erase_notes(start, citizen):
    from smartcity.payments import gdpr

    payment = start()
    exported = gdpr.export(citizen)["zahlungen"]
    assert exported[0]["kassenzeichen"] == payment.kassenzeichen and exported[0]["betrag"] == "25,00 €"
    assert "Aufbewahrungsfristen" in gdpr.erase(citizen)[0]
    citizen.delete()
    payment.refresh_from_db()
    assert payment.payer is None and payment.status == "pending"
