from celery import shared_task

from . import retention, services


@shared_task(name="cases.escalate_overdue")
def escalate_overdue() -> int:
    """Notify team leads about newly overdue cases (each case once)."""
    return services.escalate_overdue()


@shared_task(name="cases.apply_retention")
def apply_retention() -> int:
    """Anonymise closed cases whose retention period has passed."""
    return retention.apply_retention()
