from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import aggregates, partitions


@shared_task(name="smartcity.airquality.tasks.ensure_partitions")
def ensure_partitions() -> list[str]:
    """Create next months' observation partitions ahead of the data (PostgreSQL; a no-op elsewhere)."""
    return partitions.ensure_ahead(timezone.now().date(), settings.AIRQUALITY_PARTITIONS_AHEAD)


@shared_task(name="smartcity.airquality.tasks.refresh_aggregates")
def refresh_aggregates() -> int:
    """Recompute the hourly and daily aggregates of all hours ingest marked stale (see aggregates)."""
    return aggregates.refresh_stale()


@shared_task(name="smartcity.airquality.tasks.publish_open_data")
def publish_open_data() -> list[str]:
    """Refresh the open-data CSV resources of daily and annual aggregates."""
    from .opendata import publish_all

    return [ds.name for ds in publish_all()]
