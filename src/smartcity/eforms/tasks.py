from celery import shared_task

from . import services


@shared_task(acks_late=True)
def delete_stale_drafts() -> int:
    return services.delete_stale_drafts()
