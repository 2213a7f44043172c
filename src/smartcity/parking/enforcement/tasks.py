from celery import shared_task

from . import signing


@shared_task
def prune_signing_keys() -> list[str]:
    return signing.prune_keys()
