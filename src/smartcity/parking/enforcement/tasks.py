from celery import shared_task

from . import signing, snapshot


@shared_task
def prune_signing_keys() -> list[str]:
    return signing.prune_keys()


@shared_task
def build_daily_snapshot() -> int:
    """Celery beat, early each morning: the offline whitelist for today's shifts."""
    return snapshot.build_snapshot().pk
