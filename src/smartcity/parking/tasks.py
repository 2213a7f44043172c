"""Celery tasks of the parking pipeline. Each one calls a service; all are safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=8)
def issue_permit_task(application_id: str) -> str | None:
    """Issue the permit of a paid application. acks_late: a worker killed midway leaves the message queued,
    and the redelivered task finds either the permit (and returns it) or issues it now."""
    permit = services.issue_permit(application_id)
    return str(permit.pk) if permit else None


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, OSError), retry_backoff=True,
             max_retries=8)
def permit_document_task(permit_id: str) -> str:
    """Render and store the PDF of an issued permit. Queued after the issuing transaction commits, so rendering
    never holds the application's or the audit chain's locks; acks_late plus the service's idempotency make a
    redelivery harmless (one document)."""
    from .permit_pdf import permit_for_pdf

    return str(services.ensure_permit_document(permit_for_pdf(permit_id)).pk)


@shared_task(acks_late=True)
def retry_register_check(application_id: str) -> None:
    services.retry_after_outage(application_id)


@shared_task
def retry_waiting() -> int:
    """Safety net: re-check applications waiting on a register whose scheduled retry got lost."""
    return services.retry_lost_waiting()


@shared_task
def issue_stuck_paid() -> int:
    return services.issue_stuck_paid()


@shared_task
def expire_permits() -> int:
    return services.expire_permits()


@shared_task
def send_reminders() -> int:
    return services.send_reminders()


@shared_task
def close_hearings() -> int:
    return services.close_expired_hearings()


@shared_task
def apply_retention() -> int:
    from . import retention

    return retention.apply_retention()
