"""Row locks under real concurrency (PostgreSQL only; SQLite serialises writers anyway)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from smartcity.payments import services
from smartcity.payments.models import HandlerCall, PaymentEvent

from .conftest import settle, webhook_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_webhooks_and_returns_call_the_handler_once(start, calls, no_webhooks):
    payment = start()
    tx = settle(payment, "paid")
    deliveries = [webhook_for(tx, event_id=f"evt-{i % 3}") for i in range(6)]

    def deliver(i: int) -> None:
        try:
            if i % 2:
                services.handle_webhook("simulator", *deliveries[i])
            else:
                services.refresh_from_provider(payment, source="return")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(deliver, range(6)))
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert calls == [("paid", str(payment.pk))]
    assert HandlerCall.objects.filter(payment=payment).count() == 1
    assert PaymentEvent.objects.filter(payment=payment, applied=True, to_status="paid").count() == 1
