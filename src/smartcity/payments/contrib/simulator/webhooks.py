"""How the simulator notifies the platform: a signed JSON body, delivered per PAYMENTS_SIMULATOR_WEBHOOKS.

``inline``: an in-process call of the receiving service (eager demo); ``http``: a Celery task POSTs it to
our webhook URL like a real provider; ``off``: nothing (tests deliver ``build()`` results themselves,
late or out of order).
"""

import json
import urllib.request
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ...plugins import signing
from .models import SimulatorTransaction
from .plugin import SIGNATURE_HEADER


def build(tx: SimulatorTransaction, *, event_id: str | None = None, timestamp: int | None = None,
          secret: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({
        "eventId": event_id or uuid.uuid4().hex,
        "transactionId": str(tx.pk),
        "requestId": tx.request_id,
        "status": tx.status,
        "grossAmount": f"{tx.amount_cents / 100:.2f}",
        "currency": "EUR",
        "transactionReference": tx.kassenzeichen,
        "occurredAt": timezone.now().isoformat(),
    }, separators=(",", ":")).encode()
    secret = settings.PAYMENTS_SIMULATOR_WEBHOOK_SECRET if secret is None else secret
    return body, {SIGNATURE_HEADER: signing.signature_header(body, secret, timestamp)}


def notify(tx: SimulatorTransaction) -> None:
    mode = settings.PAYMENTS_SIMULATOR_WEBHOOKS
    if mode == "off":
        return
    body, headers = build(tx)
    if mode == "http":
        from ...tasks import deliver_simulator_webhook

        deliver_simulator_webhook.delay(body.decode(), headers[SIGNATURE_HEADER])
        return
    from ...services import handle_webhook

    handle_webhook("simulator", body, headers)


def post_webhook(body: bytes, signature: str) -> int:
    url = settings.SITE_URL + reverse("payments:webhook", args=["simulator"])
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - SITE_URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own configured URL
        return response.status
