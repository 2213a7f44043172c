"""Every change to the catalogue goes through these functions: they validate, write the change
history, the audit event and the change feed, and keep the search columns up to date."""

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import TextField, Value
from django.urls import reverse
from django.utils import timezone

from smartcity.audit.services import record

from . import quality, search, vocab
from .ckan.dictize import package_dict, prefetch
from .models import ApiToken, ChangeEvent, Dataset, DatasetRevision, Organization, Resource, Tag
from .validation import InvalidData, clean_dataset, clean_organization, clean_resource

TABULAR_FORMATS = {"CSV"}


def _actor_label(actor: Any) -> str:
    if getattr(actor, "pk", None):
        return actor.get_username()
    return actor if isinstance(actor, str) else "system"


def _user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def dataset_uri(ds: Dataset) -> str:
    """The stable URI (rdf:about, dct:identifier): based on the UUID, so renaming the slug keeps it."""
    return settings.SITE_URL + reverse("opendata:dataset_by_id", args=[ds.id])


def reindex(ds: Dataset) -> None:
    """Recompute the search columns and the quality score from the stored state."""
    ds = prefetch(Dataset.objects.filter(pk=ds.pk)).get()
    pkg = package_dict(ds)
    tags = " ".join(t["name"] for t in pkg["tags"])
    groups = " ".join(g["title"] for g in pkg["groups"])
    res_text = " ".join(f"{r['name']} {r['description']}" for r in pkg["resources"])
    org = ds.organization.title
    text = " ".join([ds.name, ds.title, tags, groups, org, ds.notes, res_text]).lower()
    score = quality.assess(pkg, overdue=is_overdue(ds)).score
    updates: dict[str, Any] = {
        "search_text": text, "quality_score": score,
        "facet_tags": sorted(t["name"] for t in pkg["tags"]),
        "facet_groups": sorted(g["name"] for g in pkg["groups"]),
        "facet_formats": sorted({r["format"] for r in pkg["resources"] if r["format"]}),
    }
    if connection.vendor == "postgresql":
        def vec(value: str, weight: str) -> SearchVector:
            return SearchVector(Value(value, output_field=TextField()), weight=weight, config="german")

        updates["search_vector"] = (vec(f"{ds.title} {ds.name}", "A") + vec(f"{tags} {groups}", "B")
                                    + vec(f"{ds.notes} {org}", "C") + vec(res_text, "D"))
    Dataset.objects.filter(pk=ds.pk).update(**updates)
    search.refresh_facet_counts([ds.organization_id])


def is_overdue(ds: Dataset, now=None) -> bool:
    max_age = vocab.FREQUENCIES.get(ds.frequency, ("", None))[1]
    return quality.is_overdue(ds.modified or ds.issued, max_age, now or timezone.now())


def _after_change(ds: Dataset, actor: Any, action: str, was_public: bool, **details: Any) -> None:
    reindex(ds)
    search.bump_catalogue_version()
    ds.refresh_from_db()
    snapshot = package_dict(prefetch(Dataset.objects.filter(pk=ds.pk)).get())
    DatasetRevision.objects.create(dataset=ds, actor=_user(actor), actor_label=_actor_label(actor), action=action,
                                   snapshot=snapshot)
    if ds.is_public:
        ChangeEvent.objects.create(dataset_id=ds.id, dataset_name=ds.name, kind=ChangeEvent.Kind.CHANGED)
    elif was_public:
        # Withdrawn from the public catalogue: harvesters must see a tombstone.
        ChangeEvent.objects.create(dataset_id=ds.id, dataset_name=ds.name, kind=ChangeEvent.Kind.DELETED)
    record(actor, f"opendata.dataset.{action}", ds, name=ds.name, **details)


def _set_tags(ds: Dataset, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    ds.tags.set(tags)


def _apply(ds: Dataset, cleaned: dict[str, Any]) -> None:
    for key, value in cleaned.items():
        if key not in ("tags", "groups", "resources"):
            setattr(ds, key, value)


def create_dataset(actor: Any, data: dict[str, Any], *, default_state: str = Dataset.State.ACTIVE) -> Dataset:
    """package_create. ``data`` is a CKAN package dict; raises InvalidData."""
    cleaned = clean_dataset(data)
    org: Organization = cleaned["organization"]
    state = data.get("state") if data.get("state") in (Dataset.State.DRAFT, Dataset.State.ACTIVE) else default_state
    with transaction.atomic():
        ds = Dataset(state=state, creator_user=_user(actor))
        _apply(ds, cleaned)
        ds.contributor_ids = ds.contributor_ids or ([org.contributor_id] if org.contributor_id else [])
        ds.political_geocoding_uri = ds.political_geocoding_uri or org.political_geocoding_uri
        ds.political_geocoding_level_uri = ds.political_geocoding_level_uri or org.political_geocoding_level_uri
        ds.publisher_name = ds.publisher_name or org.title
        ds.publisher_url = ds.publisher_url or org.homepage
        now = timezone.now()
        ds.metadata_created = ds.metadata_modified = now
        ds.issued = ds.issued or (now if state == Dataset.State.ACTIVE else None)
        ds.save()
        if not ds.identifier:
            ds.identifier = dataset_uri(ds)
            ds.save(update_fields=["identifier"])
        _set_tags(ds, cleaned.get("tags", []))
        ds.groups.set(cleaned.get("groups", []))
        for position, res in enumerate(cleaned.get("resources", [])):
            Resource.objects.create(dataset=ds, position=position, **res)
        _after_change(ds, actor, "created", was_public=False)
    return ds


def update_dataset(actor: Any, ds: Dataset, data: dict[str, Any], *, partial: bool) -> Dataset:
    """package_update (replace) or package_patch (partial). Resources given in ``data`` replace the list."""
    cleaned = clean_dataset(data, instance=ds, partial=partial)
    if "organization" in cleaned and cleaned["organization"] != ds.organization:
        raise InvalidData({"owner_org": ["Ein Datensatz kann nicht in eine andere Organisation verschoben werden."]})
    was_public = ds.is_public
    with transaction.atomic():
        ds = Dataset.objects.select_for_update().get(pk=ds.pk)
        _apply(ds, cleaned)
        if data.get("state") in (Dataset.State.DRAFT, Dataset.State.ACTIVE):
            ds.state = data["state"]
        ds.metadata_modified = timezone.now()
        ds.save()
        if "tags" in cleaned:
            _set_tags(ds, cleaned["tags"])
        if "groups" in cleaned:
            ds.groups.set(cleaned["groups"])
        if "resources" in cleaned:
            _replace_resources(ds, data.get("resources") or [], cleaned["resources"])
        _after_change(ds, actor, "updated", was_public)
    return ds


def _replace_resources(ds: Dataset, raw: list[dict], cleaned: list[dict]) -> None:
    """Resources with a known id are updated in place (keeping uploads); the rest are replaced."""
    keep = []
    for position, (given, res) in enumerate(zip(raw, cleaned, strict=True)):
        existing = ds.resources.filter(pk=given.get("id")).first() if is_uuid(given.get("id")) else None
        if existing:
            for key, value in res.items():
                if not (key == "url" and existing.file):
                    setattr(existing, key, value)
            existing.position = position
            existing.metadata_modified = timezone.now()
            existing.save()
            keep.append(existing.pk)
        else:
            keep.append(Resource.objects.create(dataset=ds, position=position, **res).pk)
    ds.resources.exclude(pk__in=keep).update(state="deleted")


def is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def set_state(actor: Any, ds: Dataset, state: str) -> Dataset:
    """Publish (active), withdraw to draft, or delete (CKAN keeps deleted datasets as state=deleted)."""
    was_public = ds.is_public
    with transaction.atomic():
        ds = Dataset.objects.select_for_update().get(pk=ds.pk)
        ds.state = state
        now = timezone.now()
        ds.metadata_modified = now
        if state == Dataset.State.ACTIVE and not ds.issued:
            ds.issued = now
        ds.save()
        action = {"active": "published", "draft": "withdrawn", "deleted": "deleted"}[state]
        _after_change(ds, actor, action, was_public)
    return ds



def _check_upload(upload: UploadedFile) -> None:
    if upload.size == 0:
        raise InvalidData({"upload": ["Die Datei ist leer (0 Byte)."]})
    limit = settings.OPENDATA_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise InvalidData({"upload": [f"Die Datei ist größer als {limit // (1024 * 1024)} MB."]})


def _upload_name(raw: str) -> str:
    """A storable file name. The column holds 100 characters including ``opendata/YYYY/MM/``, and Django's
    storage only shortens the part before the first dot: a long name with many dots failed with a 500."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    root, _, ext = base.rpartition(".")
    if not root:
        root, ext = base, ""
    root = root.replace(".", "_")[:60] or "upload"
    return f"{root}.{ext[:10]}" if ext else root


def _store_upload(resource: Resource, upload: UploadedFile) -> None:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    resource.file.save(_upload_name(upload.name), upload, save=False)
    resource.size = upload.size
    resource.hash = "sha256:" + digest.hexdigest()
    resource.url = ""
    resource.format = vocab.normalise_format(resource.format, upload.name)
    resource.mimetype = resource.mimetype or vocab.FORMATS.get(resource.format, ("", ""))[1] or (
        upload.content_type or "")
    resource.last_modified = timezone.now()


def _schedule_load(resource: Resource) -> None:
    if resource.file and resource.format in TABULAR_FORMATS:
        from .tasks import load_datastore

        Resource.objects.filter(pk=resource.pk).update(datastore_status=Resource.LoadStatus.PENDING,
                                                       datastore_error="")
        transaction.on_commit(lambda: load_datastore.delay(str(resource.pk)))


def create_resource(actor: Any, ds: Dataset, data: dict[str, Any], upload: UploadedFile | None = None) -> Resource:
    cleaned = clean_resource(data, require_source=True, has_upload=upload is not None)
    if upload is not None:
        _check_upload(upload)
    was_public = ds.is_public
    with transaction.atomic():
        position = ds.resources.filter(state="active").count()
        resource = Resource(dataset=ds, position=position, **cleaned)
        if upload is not None:
            _store_upload(resource, upload)
        resource.name = resource.name or (upload.name if upload else resource.url.rsplit("/", 1)[-1])[:500]
        resource.save()
        Dataset.objects.filter(pk=ds.pk).update(metadata_modified=timezone.now(), modified=timezone.now(),
                                                freshness_alerted_at=None)
        _schedule_load(resource)
        _after_change(ds, actor, "resource_created", was_public, resource=str(resource.pk))
    return resource


def update_resource(actor: Any, resource: Resource, data: dict[str, Any], upload: UploadedFile | None = None,
                    *, partial: bool = False) -> Resource:
    cleaned = clean_resource(data, require_source=not partial and not resource.file,
                             has_upload=upload is not None)
    if upload is not None:
        _check_upload(upload)
    ds = resource.dataset
    was_public = ds.is_public
    with transaction.atomic():
        for key, value in cleaned.items():
            setattr(resource, key, value)
        if upload is not None:
            _store_upload(resource, upload)
        resource.metadata_modified = timezone.now()
        resource.save()
        Dataset.objects.filter(pk=ds.pk).update(metadata_modified=timezone.now(), modified=timezone.now(),
                                                freshness_alerted_at=None)
        if upload is not None:
            _schedule_load(resource)
        _after_change(ds, actor, "resource_updated", was_public, resource=str(resource.pk))
    return resource


def delete_resource(actor: Any, resource: Resource) -> None:
    ds = resource.dataset
    was_public = ds.is_public
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(state="deleted", metadata_modified=timezone.now())
        Dataset.objects.filter(pk=ds.pk).update(metadata_modified=timezone.now())
        _after_change(ds, actor, "resource_deleted", was_public, resource=str(resource.pk))


def create_organization(actor: Any, data: dict[str, Any]) -> Organization:
    """organization_create; raises InvalidData."""
    org = Organization.objects.create(**clean_organization(data))
    record(actor, "opendata.organization.created", org, name=org.name)
    return org


def publish_resource_content(actor: Any, ds: Dataset, *, name: str, filename: str, content: bytes,
                             fmt: str, description: str = "") -> Resource:
    """Used by publisher callbacks: replace the resource called ``name`` with fresh content."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(filename, content, content_type=vocab.FORMATS.get(fmt, ("", ""))[1])
    existing = ds.resources.filter(name=name, state="active").first()
    data = {"name": name, "format": fmt, "description": description}
    if existing:
        return update_resource(actor, existing, data, upload, partial=True)
    return create_resource(actor, ds, data, upload)


def issue_token(user: Any, name: str) -> str:
    """Create an API token; returns the secret, which is shown once and stored only as a hash."""
    token, raw = ApiToken.issue(user, name)
    record(user, "opendata.token.issued", token, name=name)
    return raw


def revoke_token(user: Any, token_id: str) -> bool:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        return False
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    record(user, "opendata.token.revoked", token, name=token.name)
    return True


def ensure_themes() -> None:
    """The EU data themes as categories (also seeded by migration 0002; tests that flush need it again)."""
    from .models import Group

    for code, title in vocab.THEMES.items():
        Group.objects.get_or_create(name=code, defaults={"title": title})
