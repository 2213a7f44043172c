"""Celery tasks of the open data portal. Each task is short, idempotent and logs its outcome."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=3600, time_limit=3700)
def load_datastore(resource_id: str) -> str:
    from . import datastore
    from .models import Resource

    resource = Resource.objects.filter(pk=resource_id, state="active").first()
    if resource is None:
        return "gone"
    table = datastore.load(resource)
    return "done" if table else "error"
