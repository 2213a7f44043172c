"""CKAN-shaped dictionaries (package_show, resource_show, organization_show …) built from the models."""

import json
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from .. import vocab
from ..models import Dataset, Group, Organization, Resource, Tag
from . import packages


def ckan_time(value: datetime | str | None) -> str | None:
    """Naive ISO 8601 UTC with microseconds, as CKAN writes metadata_created/_modified. Text is such a value
    already (written so by PostgreSQL, ``packages``)."""
    if value is None or value.__class__ is str:
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")  # no %z: the offset is not written


def _iso(value: date | datetime | str | None) -> str | None:
    """ISO 8601; text is such a value already (``packages``)."""
    return (value if value.__class__ is str else value.isoformat()) if value else None


def organization_dict(org: Organization, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(org.id), "name": org.name, "title": org.title, "display_name": org.title,
        "type": "organization", "is_organization": True, "description": org.description,
        "image_url": org.image_url, "image_display_url": org.image_url, "created": ckan_time(org.created),
        "approval_status": "approved", "state": "active",
        "revision_id": "", "revision_timestamp": ckan_time(org.created),
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def organization_show_dict(org: Organization, *, package_count: int) -> dict[str, Any]:
    data = organization_dict(org, package_count=package_count)
    extras = [{"key": "contributorID", "value": org.contributor_id}] if org.contributor_id else []
    data.update({"num_followers": 0, "extras": extras, "groups": [], "tags": [], "users": []})
    return data


def group_dict(group: Group, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(group.id), "name": group.name, "title": group.title, "display_name": group.title,
        "description": group.description, "image_display_url": "",
    }
    if package_count is not None:
        data.update({"type": "group", "is_organization": False, "image_url": "", "state": "active",
                     "approval_status": "approved", "created": ckan_time(group.created),
                     "package_count": package_count})
    return data


def tag_dict(tag: Tag) -> dict[str, Any]:
    return {"id": str(tag.id), "name": tag.name, "display_name": tag.name, "state": "active", "vocabulary_id": None}


def license_dict(lic: vocab.License) -> dict[str, Any]:
    return {"id": lic.id, "title": lic.title, "url": lic.url,
            "od_conformance": "approved" if lic.is_open else "not reviewed", "osd_conformance": "not reviewed",
            "status": "active", "maintainer": "", "family": "", "is_generic": False,
            "domain_content": False, "domain_data": True, "domain_software": False}


def download_path(resource: Resource) -> str:
    # str() of a FieldFile is its name: the same for a model instance and a values_list row (package_dicts).
    filename = str(resource.file).rsplit("/", 1)[-1] if resource.file else "download"
    return reverse("opendata:resource_download", args=[resource.dataset_id, resource.id, filename])


def resource_url(resource: Resource) -> str:
    return settings.SITE_URL + download_path(resource) if resource.file else resource.url


def resource_dict(resource: Resource, dataset_license_id: str) -> dict[str, Any]:
    """``resource`` is a Resource or a row with the same attribute names (``_RESOURCE_FIELDS``)."""
    data: dict[str, Any] = {
        "id": str(resource.id), "package_id": str(resource.dataset_id), "name": resource.name,
        "description": resource.description, "format": resource.format, "mimetype": resource.mimetype or None,
        "mimetype_inner": None, "url": resource_url(resource), "url_type": "upload" if resource.file else None,
        "resource_type": "file.upload" if resource.file else "file", "size": resource.size,
        "hash": resource.hash, "position": resource.position, "created": ckan_time(resource.created),
        "last_modified": ckan_time(resource.last_modified), "metadata_modified": ckan_time(resource.metadata_modified),
        "cache_url": None, "cache_last_updated": None,
        "datastore_active": resource.datastore_status == Resource.LoadStatus.DONE,
        "state": resource.state,
        "license": resource.license_id or dataset_license_id,
    }
    if resource.license_attribution:
        data["licenseAttributionByText"] = resource.license_attribution
    for key, value in (resource.extras or {}).items():
        data.setdefault(key, value)
    return data


# Dataset column → CKAN extras key (DCAT-AP.de names as ckanext-dcatde stores them).
def _extras(ds: Dataset) -> list[dict[str, str]]:
    pairs: list[tuple[str, str | None]] = [
        ("contributorID", json.dumps(ds.contributor_ids) if ds.contributor_ids else None),
        ("identifier", ds.identifier or None),
        ("issued", _iso(ds.issued)),
        ("modified", _iso(ds.modified)),
        ("frequency", vocab.FREQUENCY_BASE + ds.frequency if ds.frequency else None),
        ("politicalGeocodingLevelURI", ds.political_geocoding_level_uri or None),
        ("politicalGeocodingURI", json.dumps([ds.political_geocoding_uri]) if ds.political_geocoding_uri else None),
        ("publisher_name", ds.publisher_name or None),
        ("publisher_url", ds.publisher_url or None),
        ("contact_email", ds.maintainer_email or None),
        ("contact_url", ds.contact_url or None),
        ("temporal_start", _iso(ds.temporal_start)),
        ("temporal_end", _iso(ds.temporal_end)),
        ("spatial_uri", ds.spatial_uri or None),
    ]
    extras = [{"key": k, "value": v} for k, v in pairs if v]
    extras += [{"key": k, "value": v if isinstance(v, str) else json.dumps(v)} for k, v in sorted(ds.extras.items())]
    return extras


def package_dict(ds: Dataset) -> dict[str, Any]:
    """The package_show result of a Dataset whose relations are prefetched (``prefetch``).

    Many datasets at once: ``package_dicts``, which builds the same dict from rows."""
    return _package(ds, organization_dict(ds.organization), list(ds.groups.all()), list(ds.tags.all()),
                    [r for r in ds.resources.all() if r.state == "active"])


def _package(ds: Any, organization: dict[str, Any], groups: list, tags: list, resources: list) -> dict[str, Any]:
    """``ds`` and the related objects are model instances or rows with the models' attribute names."""
    lic = vocab.LICENSES.get(ds.license_id)
    return {
        "id": str(ds.id), "name": ds.name, "title": ds.title, "notes": ds.notes, "url": ds.url or None,
        "version": ds.version or None, "author": ds.author or None, "author_email": ds.author_email or None,
        "maintainer": ds.maintainer or None, "maintainer_email": ds.maintainer_email or None,
        "license_id": ds.license_id, "license_title": lic.title if lic else ds.license_id,
        "license_url": lic.url if lic else None, "isopen": bool(lic and lic.is_open),
        "type": "dataset", "state": ds.state, "private": ds.private,
        "owner_org": str(ds.organization_id),
        "creator_user_id": str(ds.creator_user_id) if ds.creator_user_id else None,
        "metadata_created": ckan_time(ds.metadata_created), "metadata_modified": ckan_time(ds.metadata_modified),
        "num_resources": len(resources), "num_tags": len(tags),
        "organization": organization,
        "groups": [group_dict(g) for g in groups],
        "tags": [tag_dict(t) for t in tags],
        "extras": _extras(ds),
        "resources": [resource_dict(r, ds.license_id) for r in resources],
        "relationships_as_subject": [], "relationships_as_object": [],
    }


def prefetch(queryset):
    """The related objects package_dict needs, in a constant number of queries."""
    return queryset.select_related("organization").prefetch_related("tags", "groups", "resources")


def package_dicts(ids: list) -> list[dict[str, Any]]:
    """package_dict of these datasets (UUIDs), in this order, built from rows (``packages.load``): a constant
    number of statements and no model instances. Ids that do not exist (deleted in between) are left out."""
    return [_package(rows.dataset, organization_dict(rows.organization), rows.groups, rows.tags, rows.resources)
            for rows in packages.load(ids)]
