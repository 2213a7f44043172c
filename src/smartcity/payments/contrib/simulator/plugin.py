"""A local stand-in for an XBezahldienste provider: its own records, its own pages, signed webhooks."""

import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ... import domain
from ...plugins import registry, signing
from ...plugins.base import (
    CreatedTransaction,
    PaymentProvider,
    ProviderError,
    ProviderStatus,
    RefundResult,
    WebhookEvent,
    WebhookRejected,
)
from .models import SimulatorTransaction

if TYPE_CHECKING:
    from ...models import Payment, Refund

SIGNATURE_HEADER = "X-Simulator-Signature"
STATUS_MAP = {
    SimulatorTransaction.Status.OPEN: domain.PENDING,
    SimulatorTransaction.Status.PAID: domain.PAID,
    SimulatorTransaction.Status.FAILED: domain.FAILED,
    SimulatorTransaction.Status.CANCELLED: domain.CANCELLED,
}


def _require_enabled() -> None:
    if not settings.PAYMENTS_SIMULATOR_ENABLED:
        raise ProviderError("the payment simulator is switched off (PAYMENTS_SIMULATOR_ENABLED)")


def _transaction(payment: "Payment") -> SimulatorTransaction:
    _require_enabled()
    try:
        return SimulatorTransaction.objects.get(pk=payment.provider_reference)
    except (SimulatorTransaction.DoesNotExist, ValueError):
        raise ProviderError(f"unknown simulator transaction {payment.provider_reference!r}") from None


@registry.register("simulator")
class SimulatorProvider(PaymentProvider):
    verbose_name = "Zahlungssimulator (Demo)"

    def create_transaction(self, payment: "Payment", *, return_url: str) -> CreatedTransaction:
        _require_enabled()
        tx = SimulatorTransaction.objects.create(
            request_id=str(payment.pk), kassenzeichen=payment.kassenzeichen, amount_cents=payment.amount_cents,
            purpose=payment.purpose, description=payment.description, redirect_url=return_url,
        )
        return CreatedTransaction(reference=str(tx.pk), redirect_url=reverse("payments:simulator", args=[tx.pk]))

    def fetch_status(self, payment: "Payment") -> ProviderStatus:
        tx = _transaction(payment)
        return ProviderStatus(status=STATUS_MAP[tx.status], raw={"transactionId": str(tx.pk), "status": tx.status})

    def cancel(self, payment: "Payment") -> ProviderStatus:
        with transaction.atomic():
            tx = SimulatorTransaction.objects.select_for_update().get(pk=_transaction(payment).pk)
            if tx.status == SimulatorTransaction.Status.OPEN:
                tx.status = SimulatorTransaction.Status.CANCELLED
                tx.save(update_fields=["status", "updated_at"])
        return ProviderStatus(status=STATUS_MAP[tx.status], raw={"transactionId": str(tx.pk), "status": tx.status})

    def refund(self, payment: "Payment", refund: "Refund") -> RefundResult:
        with transaction.atomic():
            tx = SimulatorTransaction.objects.select_for_update().get(pk=_transaction(payment).pk)
            remaining = tx.amount_cents - tx.refunded_cents
            if tx.status != SimulatorTransaction.Status.PAID or refund.amount_cents > remaining:
                raise ProviderError("refund exceeds what was paid")
            tx.refunded_cents += refund.amount_cents
            tx.save(update_fields=["refunded_cents", "updated_at"])
        return RefundResult(reference=f"SIM-R-{uuid.uuid4().hex[:12]}", completed=True)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        secrets = [settings.PAYMENTS_SIMULATOR_WEBHOOK_SECRET, *settings.PAYMENTS_SIMULATOR_WEBHOOK_OLD_SECRETS]
        signing.verify(body, headers.get(SIGNATURE_HEADER), secrets,
                       tolerance_seconds=settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS)
        return _event(body)


def _event(body: bytes) -> WebhookEvent:
    """Parse a verified body; each way it can be wrong gets its own code and names what is wrong, so the sender
    can fix it (machine clients: stable ``error`` codes, English ``detail``)."""
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookRejected(400, "payload_not_json", "Body is not valid JSON (UTF-8).") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, "payload_invalid", f"Body must be a JSON object, not {type(data).__name__}.")
    missing = [key for key in ("eventId", "transactionId", "status") if data.get(key) in (None, "")]
    if missing:
        raise WebhookRejected(400, "payload_invalid", f"Missing or empty field(s): {', '.join(missing)}.")
    if data["status"] not in STATUS_MAP:
        raise WebhookRejected(400, "status_unknown", f"Unknown status {data['status']!r}; expected one of: "
                                                     f"{', '.join(sorted(STATUS_MAP))}.")
    return WebhookEvent(event_id=str(data["eventId"]), reference=str(data["transactionId"]),
                        status=STATUS_MAP[data["status"]], raw=data)
