"""The CKAN Action API v3 actions this portal offers. Each docstring is what ``help_show`` returns."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count

from .. import datastore, paging, permissions, search, services, vocab
from ..models import Dataset, Group, Organization, Resource, Tag
from ..validation import InvalidData
from .dictize import (
    group_dict,
    license_dict,
    organization_dict,
    organization_show_dict,
    package_dicts,
    resource_dict,
)
from .errors import NotAuthorized, NotFound, NotSupported, SearchQueryError, ValidationError

CKAN_VERSION = "2.11.0"
ROWS_MAX = 1000


@dataclass
class Context:
    user: Any  # an accounts.User or AnonymousUser
    files: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    fn: Callable[[Context, dict[str, Any]], Any]
    side_effect_free: bool


ACTIONS: dict[str, Action] = {}


def action(*, read: bool) -> Callable:
    def register(fn: Callable) -> Callable:
        ACTIONS[fn.__name__] = Action(fn, side_effect_free=read)
        return fn

    return register


# --- parameter helpers -------------------------------------------------------------------------

def _int(params: dict, key: str, default: int, *, minimum: int = 0, maximum: int = paging.MAX_INT) -> int:
    # CKAN silently caps rows at its maximum; offsets are capped too (a page beyond the end is empty).
    try:
        return paging.parse_int(params.get(key), default, minimum=minimum, maximum=maximum)
    except ValueError as exc:
        raise ValidationError({key: [str(exc)]})


def _bool(params: dict, key: str, default: bool = False) -> bool:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("true", "1", "yes", "on")


def _str(params: dict, key: str, default: str = "") -> str:
    raw = params.get(key, default)
    if isinstance(raw, list):
        raw = raw[0] if raw else default
    return str(raw if raw is not None else default)


def _list(params: dict, key: str) -> list:
    raw = params.get(key)
    if raw in (None, ""):
        return []
    if isinstance(raw, list):
        return raw
    if isinstance(raw, str) and raw.strip().startswith("["):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise ValidationError({key: ["Invalid JSON list"]})
        return value if isinstance(value, list) else [value]
    return [raw]


def _require_id(params: dict, key: str = "id") -> str:
    value = _str(params, key).strip()
    if not value:
        raise ValidationError({key: ["Missing value"]})
    return value


def _invalid(exc: InvalidData) -> ValidationError:
    return ValidationError(exc.errors)


def _get_dataset(ref: str) -> Dataset:
    qs = Dataset.objects.select_related("organization")
    ds = qs.filter(name=ref).first()
    if ds is None and search._is_uuid(ref):
        ds = qs.filter(pk=ref).first()
    if ds is None:
        raise NotFound("Dataset")
    return ds


def _package_result(ds: Dataset) -> dict:
    return package_dicts([ds.pk])[0]


def _readable_dataset(ctx: Context, ref: str) -> Dataset:
    ds = _get_dataset(ref)
    if ds.state == Dataset.State.DELETED and not permissions.is_sysadmin(ctx.user):
        raise NotFound("Dataset")
    if not permissions.can_read_dataset(ctx.user, ds):
        raise NotAuthorized(f"User {_username(ctx)} not authorized to read package {ds.name}")
    return ds


def _editable_dataset(ctx: Context, ref: str) -> Dataset:
    _require_user(ctx)
    ds = _get_dataset(ref)
    if not permissions.can_edit_org(ctx.user, ds.organization):
        raise NotAuthorized(f"User {_username(ctx)} not authorized to edit package {ds.name}")
    return ds


def _get_resource(ctx: Context, ref: str, *, edit: bool) -> Resource:
    res = (Resource.objects.select_related("dataset__organization").filter(pk=ref, state="active").first()
           if search._is_uuid(ref) else None)
    if res is None:
        raise NotFound("Resource")
    if edit:
        _editable_dataset(ctx, str(res.dataset_id))
    else:
        _readable_dataset(ctx, str(res.dataset_id))
    return res


def _username(ctx: Context) -> str:
    return ctx.user.get_username() if ctx.user.is_authenticated else ""


def _require_user(ctx: Context) -> None:
    if not ctx.user.is_authenticated:
        raise NotAuthorized("an API token is required (Authorization header)")


def _find_org(ref: str) -> Organization | None:
    org = Organization.objects.filter(name=ref).first()
    if org is None and search._is_uuid(ref):
        org = Organization.objects.filter(pk=ref).first()
    return org


# --- read actions ------------------------------------------------------------------------------

@action(read=True)
def status_show(ctx: Context, params: dict) -> dict:
    """Return the portal's name, URL, default locale, extensions and the CKAN API version it emulates."""
    return {"site_title": settings.OPENDATA_SITE_TITLE, "site_description": f"Offene Daten – {settings.CITY_NAME}",
            "site_url": settings.SITE_URL, "error_emails_to": None, "locale_default": "de",
            "extensions": ["dcat", "dcatde", "datastore", "activity"], "ckan_version": CKAN_VERSION}


@action(read=True)
def package_list(ctx: Context, params: dict) -> list[str]:
    """Return the names of all public, published datasets, ordered by name.

    :param limit: maximum number of names (optional)
    :param offset: number of names to skip (optional)
    """
    limit = _int(params, "limit", 0)
    offset = _int(params, "offset", 0)
    qs = Dataset.objects.filter(state=Dataset.State.ACTIVE, private=False).order_by("name")
    names = qs.values_list("name", flat=True)
    return list(names[offset:offset + limit] if limit else names[offset:])


@action(read=True)
def package_show(ctx: Context, params: dict) -> dict:
    """Return a dataset (package) with its resources.

    :param id: the id or name of the dataset
    """
    return _package_result(_readable_dataset(ctx, _require_id(params)))


@action(read=True)
def current_package_list_with_resources(ctx: Context, params: dict) -> list[dict]:
    """Return public datasets with their resources, most recently modified first.

    :param limit: number of datasets (default 10, at most 1000)
    :param offset: number of datasets to skip
    """
    limit = _int(params, "limit", 10, maximum=ROWS_MAX)
    offset = _int(params, "offset", 0)
    qs = Dataset.objects.filter(state=Dataset.State.ACTIVE, private=False).order_by("-metadata_modified", "id")
    return package_dicts(list(qs.values_list("id", flat=True)[offset:offset + limit]))


@action(read=True)
def package_search(ctx: Context, params: dict) -> dict:
    """Search datasets.

    :param q: query in Solr syntax, e.g. ``parken``, ``tags:Verkehr``, ``metadata_modified:[2026-01-01T00:00:00Z TO *]``
    :param fq: filter query in the same syntax; ``fq_list`` takes several
    :param sort: e.g. ``metadata_modified desc`` or ``id asc`` (default ``score desc, metadata_modified desc``)
    :param rows: results per page (default 10, at most 1000)
    :param start: offset of the first result
    :param facet.field: JSON list of facet fields (organization, groups, tags, res_format, license_id)
    :param facet.limit: values per facet (default 50, negative = all)
    :param facet.mincount: minimum count of a facet value (default 1)
    :param include_private: include private datasets of your organisations
    :param include_drafts: include drafts of your organisations
    """
    rows = _int(params, "rows", 10, maximum=ROWS_MAX)
    start = _int(params, "start", 0)
    fq_list = [str(f) for f in _list(params, "fq_list")]
    if _str(params, "fq").strip():
        fq_list.insert(0, _str(params, "fq"))
    facet_on = _bool(params, "facet", True)
    facet_fields = [str(f) for f in _list(params, "facet.field")] if facet_on else []
    facet_limit = _int(params, "facet.limit", 50, minimum=-1)
    facet_mincount = _int(params, "facet.mincount", 1)
    sort = _str(params, "sort", search.DEFAULT_SORT) or search.DEFAULT_SORT
    scope = permissions.visible_scope(ctx.user, include_private=_bool(params, "include_private"),
                                      include_drafts=_bool(params, "include_drafts"))
    try:
        result = search.search(scope, q=_str(params, "q"), fq_list=fq_list, sort=sort, rows=rows, start=start,
                               facet_fields=facet_fields, facet_limit=facet_limit, facet_mincount=facet_mincount)
    except search.SearchQueryError as exc:
        if "sort" in str(exc):
            raise SearchQueryError(str(exc))
        raise ValidationError({"search": [str(exc)]})  # CKAN's key for a query it cannot run
    return {
        "count": result.count,
        "sort": sort,
        "results": package_dicts(result.ids),
        "facets": {name: {value: n for value, _, n in items} for name, items in result.facets.items()},
        "search_facets": {
            name: {"title": name, "items": [{"name": value, "display_name": label, "count": n}
                                            for value, label, n in items]}
            for name, items in result.facets.items()
        },
    }


def _counts(model_field: str) -> dict:
    qs = Dataset.objects.filter(state=Dataset.State.ACTIVE, private=False)
    return dict(qs.values_list(model_field).annotate(n=Count("id")))


def _list_sorted(objects: list, params: dict, counts: dict) -> list:
    sort = _str(params, "sort", "name asc").strip() or "name asc"
    key, _, direction = sort.partition(" ")
    if key not in ("name", "title", "package_count"):
        raise ValidationError({"sort": [f"Cannot sort by field `{key}`"]})
    objects.sort(key=lambda o: counts.get(o.pk, 0) if key == "package_count" else getattr(o, key).lower(),
                 reverse=direction.strip().lower() == "desc")
    return objects


@action(read=True)
def organization_list(ctx: Context, params: dict) -> list:
    """Return organisation names, or dicts with ``all_fields=true``.

    :param all_fields: return dicts with package_count
    :param sort: ``name``, ``title`` or ``package_count`` with ``asc``/``desc``
    :param limit: at most 1000 (25 with all_fields)
    :param offset: number to skip
    """
    counts = _counts("organization_id")
    orgs = _list_sorted(list(Organization.objects.all()), params, counts)
    all_fields = _bool(params, "all_fields")
    limit = _int(params, "limit", 25 if all_fields else ROWS_MAX, maximum=25 if all_fields else ROWS_MAX)
    offset = _int(params, "offset", 0)
    page = orgs[offset:offset + limit]
    if all_fields:
        return [organization_dict(o, package_count=counts.get(o.pk, 0)) for o in page]
    return [o.name for o in page]


@action(read=True)
def organization_show(ctx: Context, params: dict) -> dict:
    """Return one organisation.

    :param id: id or name
    :param include_datasets: include up to 1000 public datasets (default false)
    """
    org = _find_org(_require_id(params))
    if org is None:
        raise NotFound("Organization")
    qs = Dataset.objects.filter(organization=org, state=Dataset.State.ACTIVE, private=False)
    data = organization_show_dict(org, package_count=qs.count())
    if _bool(params, "include_datasets"):
        data["packages"] = package_dicts(list(qs.order_by("name").values_list("id", flat=True)[:ROWS_MAX]))
    return data


@action(read=True)
def group_list(ctx: Context, params: dict) -> list:
    """Return the categories (EU data themes) as names, or dicts with ``all_fields=true``."""
    counts = _counts("groups")
    groups = _list_sorted(list(Group.objects.all()), params, counts)
    all_fields = _bool(params, "all_fields")
    limit = _int(params, "limit", ROWS_MAX, maximum=ROWS_MAX)
    page = groups[_int(params, "offset", 0):][:limit]
    if all_fields:
        return [group_dict(g, package_count=counts.get(g.pk, 0)) for g in page]
    return [g.name for g in page]


@action(read=True)
def group_show(ctx: Context, params: dict) -> dict:
    """Return one category.

    :param id: id or name (e.g. ``tran``)
    :param include_datasets: include up to 1000 public datasets
    """
    ref = _require_id(params)
    group = Group.objects.filter(name=ref.lower()).first() or (
        Group.objects.filter(pk=ref).first() if search._is_uuid(ref) else None)
    if group is None:
        raise NotFound("Group")
    qs = group.datasets.filter(state=Dataset.State.ACTIVE, private=False)
    data = group_dict(group, package_count=qs.count())
    data.update({"extras": [{"key": "uri", "value": group.uri}], "num_followers": 0, "users": [], "groups": [],
                 "tags": []})
    if _bool(params, "include_datasets"):
        data["packages"] = package_dicts(list(qs.order_by("name").values_list("id", flat=True)[:ROWS_MAX]))
    return data


@action(read=True)
def tag_list(ctx: Context, params: dict) -> list:
    """Return the tags used by public datasets.

    :param query: only tags containing this text (``q`` works too)
    :param all_fields: return tag dicts
    """
    qs = Tag.objects.filter(datasets__state=Dataset.State.ACTIVE, datasets__private=False).distinct()
    text = _str(params, "query") or _str(params, "q")
    if text:
        qs = qs.filter(name__icontains=text)
    if _bool(params, "all_fields"):
        from .dictize import tag_dict

        return [tag_dict(t) for t in qs.order_by("name")]
    return list(qs.order_by("name").values_list("name", flat=True))


@action(read=True)
def license_list(ctx: Context, params: dict) -> list[dict]:
    """Return the licences: the DCAT-AP.de licence IRIs with German titles."""
    return [license_dict(lic) for lic in vocab.LICENSES.values()]


@action(read=True)
def resource_show(ctx: Context, params: dict) -> dict:
    """Return one resource.

    :param id: the resource id
    """
    res = _get_resource(ctx, _require_id(params), edit=False)
    return resource_dict(res, res.dataset.license_id)


@action(read=True)
def help_show(ctx: Context, params: dict) -> str:
    """Return the documentation of an action.

    :param name: the action name
    """
    name = _require_id(params, "name")
    if name not in ACTIONS:
        raise NotFound("Action function not found")
    return ACTIONS[name].fn.__doc__ or ""


@action(read=True)
def datastore_search(ctx: Context, params: dict) -> dict:
    """Search the rows of a tabular resource loaded into the DataStore.

    :param resource_id: the resource id
    :param filters: JSON object of field → value (or list of values)
    :param q: full-text query over all fields (string), or a JSON object field → text
    :param fields: fields to return (list or comma-separated)
    :param sort: e.g. ``jahr desc, name``
    :param limit: rows (default 100, at most 32000)
    :param offset: rows to skip
    :param include_total: default true
    """
    res = _get_resource(ctx, _require_id(params, "resource_id"), edit=False)
    try:
        return datastore.search(res, params)
    except datastore.DatastoreError as exc:
        raise ValidationError(exc.errors)


@action(read=True)
def datastore_search_sql(ctx: Context, params: dict) -> dict:
    """Not offered: raw SQL is where CKAN had its 2026 vulnerabilities. Use datastore_search."""
    raise NotSupported("datastore_search_sql is not supported on this portal; use datastore_search with filters, "
                       "q, fields and sort")


# --- write actions -----------------------------------------------------------------------------

def _check_org_permission(ctx: Context, params: dict) -> None:
    _require_user(ctx)
    org = _find_org(_str(params, "owner_org").strip())
    if org is not None and not permissions.can_edit_org(ctx.user, org):
        raise NotAuthorized(f"User {_username(ctx)} not authorized to add dataset to this organization")


@action(read=False)
def package_create(ctx: Context, params: dict) -> dict:
    """Create a dataset. Requires an API token of an editor of ``owner_org``.

    :param name: URL name, 2–100 characters ``[a-z0-9_-]``
    :param title: title
    :param owner_org: organisation id or name
    :param license_id: a DCAT-AP.de licence IRI (see license_list)
    :param tags: list of ``{"name": …}``; :param groups: list of ``{"name": "tran"}``
    :param extras: list of ``{"key", "value"}`` (contributorID, politicalGeocodingURI, frequency, …)
    :param resources: list of resource dicts with ``url``
    """
    _check_org_permission(ctx, params)
    try:
        ds = services.create_dataset(ctx.user, params)
    except InvalidData as exc:
        raise _invalid(exc)
    return _package_result(ds)


def _update(ctx: Context, params: dict, *, partial: bool) -> dict:
    ds = _editable_dataset(ctx, _require_id(params) if "id" in params else _require_id(params, "name"))
    if "owner_org" in params:
        _check_org_permission(ctx, params)
    try:
        services.update_dataset(ctx.user, ds, params, partial=partial)
    except InvalidData as exc:
        raise _invalid(exc)
    return _package_result(ds)


@action(read=False)
def package_update(ctx: Context, params: dict) -> dict:
    """Replace a dataset's metadata (fields not given are cleared). :param id: id or name"""
    return _update(ctx, params, partial=False)


@action(read=False)
def package_patch(ctx: Context, params: dict) -> dict:
    """Change only the given fields of a dataset. :param id: id or name"""
    return _update(ctx, params, partial=True)


@action(read=False)
def package_delete(ctx: Context, params: dict) -> None:
    """Delete a dataset (state ``deleted``; it appears as a tombstone in the change feed). :param id: id or name"""
    ds = _editable_dataset(ctx, _require_id(params))
    services.set_state(ctx.user, ds, Dataset.State.DELETED)


def _upload(ctx: Context):
    upload = ctx.files.get("upload")
    return upload if upload is not None and hasattr(upload, "chunks") else None


@action(read=False)
def resource_create(ctx: Context, params: dict) -> dict:
    """Add a resource: a multipart file in ``upload`` or a link in ``url``.

    :param package_id: dataset id or name
    """
    ds = _editable_dataset(ctx, _require_id(params, "package_id"))
    try:
        res = services.create_resource(ctx.user, ds, params, _upload(ctx))
    except InvalidData as exc:
        raise _invalid(exc)
    return _resource_result(res.pk)


def _resource_result(pk) -> dict:
    res = Resource.objects.select_related("dataset").get(pk=pk)
    return resource_dict(res, res.dataset.license_id)


def _resource_update(ctx: Context, params: dict, *, partial: bool) -> dict:
    res = _get_resource(ctx, _require_id(params), edit=True)
    try:
        services.update_resource(ctx.user, res, params, _upload(ctx), partial=partial)
    except InvalidData as exc:
        raise _invalid(exc)
    return _resource_result(res.pk)


@action(read=False)
def resource_update(ctx: Context, params: dict) -> dict:
    """Update a resource; a new ``upload`` replaces the file. :param id: resource id"""
    return _resource_update(ctx, params, partial=False)


@action(read=False)
def resource_patch(ctx: Context, params: dict) -> dict:
    """Change only the given fields of a resource. :param id: resource id"""
    return _resource_update(ctx, params, partial=True)


@action(read=False)
def resource_delete(ctx: Context, params: dict) -> None:
    """Delete a resource. :param id: resource id"""
    services.delete_resource(ctx.user, _get_resource(ctx, _require_id(params), edit=True))


@action(read=False)
def organization_create(ctx: Context, params: dict) -> dict:
    """Create an organisation (system administrators only).

    :param name: URL name; :param title: display name; :param extras: may carry ``contributorID``
    """
    _require_user(ctx)
    if not permissions.is_sysadmin(ctx.user):
        raise NotAuthorized(f"User {_username(ctx)} not authorized to create organizations")
    try:
        org = services.create_organization(ctx.user, params)
    except InvalidData as exc:
        raise _invalid(exc)
    return organization_show_dict(org, package_count=0)
