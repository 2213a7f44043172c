from celery import shared_task

from . import services


@shared_task(name="smartcity.documents.tasks.cleanup_documents")
def cleanup_documents() -> int:
    """Daily: delete documents whose retention period has ended (see retention.py)."""
    return services.cleanup()
