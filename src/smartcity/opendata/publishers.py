"""Publisher registry: the platform publishes its own data on a schedule.

Another app registers a callback from its own ``AppConfig.ready()`` without touching this app::

    from smartcity.opendata import publishers

    publishers.register("parking-zones", zones_geojson, dataset={
        "name": "bewohnerparkzonen", "title": "Bewohnerparkzonen", "owner_org": "duesseldorf",
        "notes": "…", "tags": ["Parken"], "groups": ["tran"], "frequency": "MONTHLY"})

The callback returns one ``Publication`` or a list of them. ``run(key)`` (and the hourly beat job
``run_publishers``) creates the dataset on first use, replaces the resource of the same name with
the fresh content (the DataStore reloads CSVs), applies metadata such as the temporal coverage, and
logs failures on the job without touching the published data. See docs/opendata.md.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from . import services
from .models import Dataset, Organization
from .validation import InvalidData

logger = logging.getLogger(__name__)
ACTOR = "system:opendata-publisher"


@dataclass
class Publication:
    resource_name: str
    filename: str
    content: bytes
    format: str  # CKAN format: CSV, GEOJSON, JSON …
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)  # package fields/extras to update, e.g. temporal_end


@dataclass(frozen=True)
class Publisher:
    key: str
    fn: Callable[[], "Publication | list[Publication]"]
    dataset: dict[str, Any] | None  # metadata to create the dataset on first run


_REGISTRY: dict[str, Publisher] = {}


def register(key: str, fn: Callable[[], "Publication | list[Publication]"], *,
             dataset: dict[str, Any] | None = None) -> None:
    """Register (or replace) the callback for ``key``. ``dataset`` is a package dict (CKAN shape, with
    ``tags``/``groups`` as plain names and ``frequency`` as an EU code) used when no dataset declares the key."""
    _REGISTRY[key] = Publisher(key, fn, dataset)


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def registered() -> dict[str, Publisher]:
    return dict(_REGISTRY)


def _package(spec: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in spec.items() if k not in ("tags", "groups", "frequency")}
    data["tags"] = [{"name": t} for t in spec.get("tags", [])]
    data["groups"] = [{"name": g} for g in spec.get("groups", [])]
    extras = list(spec.get("extras", []))
    if spec.get("frequency"):
        extras.append({"key": "frequency", "value": spec["frequency"]})
    data["extras"] = extras
    return data


def _datasets_for(pub: Publisher) -> list[Dataset]:
    datasets = list(Dataset.objects.filter(publisher_key=pub.key).exclude(state=Dataset.State.DELETED))
    if datasets or not pub.dataset:
        return datasets
    if not Organization.objects.filter(name=pub.dataset.get("owner_org", "")).exists():
        raise LookupError(f"Organisation {pub.dataset.get('owner_org')!r} für Publisher {pub.key!r} fehlt")
    ds = Dataset.objects.filter(name=pub.dataset.get("name")).first()
    if ds is None:
        ds = services.create_dataset(ACTOR, _package(pub.dataset))
    Dataset.objects.filter(pk=ds.pk).update(publisher_key=pub.key)
    return [ds]


def run(key: str) -> list[Dataset]:
    """Run one publisher now. Raises KeyError for an unknown key; callback errors propagate after logging."""
    pub = _REGISTRY[key]
    datasets = _datasets_for(pub)
    if not datasets:
        return []
    result = pub.fn()
    publications = result if isinstance(result, list) else [result]
    for ds in datasets:
        for publication in publications:
            services.publish_resource_content(ACTOR, ds, name=publication.resource_name,
                                              filename=publication.filename, content=publication.content,
                                              fmt=publication.format, description=publication.description)
            if publication.metadata:
                try:
                    services.update_dataset(ACTOR, Dataset.objects.get(pk=ds.pk), publication.metadata,
                                            partial=True)
                except InvalidData as exc:
                    logger.warning("publisher %s: metadata rejected: %s", key, exc.errors)
        Dataset.objects.filter(pk=ds.pk).update(modified=timezone.now(), freshness_alerted_at=None)
    return datasets


def run_all() -> dict[str, str]:
    """Run every registered publisher; one failing publisher does not stop the others."""
    outcome: dict[str, str] = {}
    for key in list(_REGISTRY):
        try:
            outcome[key] = f"ok ({len(run(key))})"
        except Exception as exc:  # noqa: BLE001 - a broken callback of another app must not stop the rest
            logger.exception("publisher %s failed", key)
            outcome[key] = f"error: {exc.__class__.__name__}: {exc}"
    return outcome
