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


@shared_task(soft_time_limit=600, time_limit=660)
def run_publishers() -> dict:
    from . import publishers

    return publishers.run_all()


@shared_task(soft_time_limit=600, time_limit=660)
def check_freshness() -> int:
    from .freshness import check_freshness as check

    return check()


@shared_task(soft_time_limit=600, time_limit=660)
def compact_search_facets() -> dict:
    from . import search

    removed, written = search.compact_search_facets()
    logger.info("search facet rows compacted", extra={"removed": removed, "written": written})
    return {"removed": removed, "written": written}


@shared_task(soft_time_limit=3 * 3600, time_limit=3 * 3600 + 60)
def harvest_source(job_id: int) -> str:
    from . import harvest
    from .models import HarvestJob

    job = HarvestJob.objects.select_related("source__organization").filter(pk=job_id).first()
    return harvest.run_job(job).status if job else "gone"


@shared_task
def harvest_all() -> int:
    """Fail jobs whose worker died, then start an incremental job for every active source."""
    from . import harvest
    from .models import HarvestJob, HarvestSource

    harvest.fail_stale_jobs()
    started = 0
    for source in HarvestSource.objects.filter(active=True):
        if HarvestJob.objects.filter(source=source, status__in=["pending", "running"]).exists():
            continue
        job = harvest.start(source, incremental=True)
        harvest_source.delay(job.pk)
        started += 1
    return started
