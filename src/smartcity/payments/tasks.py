from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def run_payment_handler(payment_id: str, outcome: str) -> bool:
    """Acked only after the handler's transaction committed; a killed worker means redelivery, and the
    recorded HandlerCall makes the redelivery a no-op once the call went through."""
    return services.run_handler(payment_id, outcome)


@shared_task(acks_late=True)
def reconcile_payments() -> dict[str, int]:
    report = services.reconcile()
    return {"checked": report.checked, "changed": report.changed, "expired": report.expired,
            "handlers_requeued": report.handlers_requeued}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def deliver_simulator_webhook(body: str, signature: str) -> int:
    from .contrib.simulator.webhooks import post_webhook

    return post_webhook(body.encode(), signature)
