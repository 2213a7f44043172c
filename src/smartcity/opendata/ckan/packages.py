"""The rows a package dict is built from, for many datasets at once and without model instances (ADR 0073).

Every row has the attribute names of its model, so ``dictize`` builds the same dict from a row as from an
instance. PostgreSQL: the datasets with their organisation, tags and groups in one statement (JSON
aggregates of the relations), their active resources in a second one; other databases: one ORM query per table.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from django.db import connection

from ..models import Dataset, Group, Organization, Resource, Tag

DATASET_FIELDS = (
    "id", "name", "title", "notes", "url", "version", "author", "author_email", "maintainer", "maintainer_email",
    "license_id", "state", "private", "organization_id", "creator_user_id", "metadata_created", "metadata_modified",
    "contributor_ids", "identifier", "issued", "modified", "frequency", "political_geocoding_level_uri",
    "political_geocoding_uri", "publisher_name", "publisher_url", "contact_url", "temporal_start", "temporal_end",
    "spatial_uri", "extras",
)
ORGANIZATION_FIELDS = ("id", "name", "title", "description", "image_url", "created")
RESOURCE_FIELDS = (
    "id", "dataset_id", "name", "description", "format", "mimetype", "url", "file", "size", "hash", "position",
    "created", "last_modified", "metadata_modified", "datastore_status", "state", "license_id",
    "license_attribution", "extras",
)
_JSON_COLUMNS = {"contributor_ids", "extras"}  # jsonb arrives as text on Django's connections
_EMPTY = {"{}": dict, "[]": list}


class TagRow(NamedTuple):
    id: Any
    name: str


class GroupRow(NamedTuple):
    id: Any
    name: str
    title: str
    description: str


class PackageRows(NamedTuple):
    dataset: Any  # a row with DATASET_FIELDS
    organization: Any  # a row with ORGANIZATION_FIELDS
    tags: list[TagRow]  # ordered by name
    groups: list[GroupRow]  # ordered by name
    resources: list  # the active ones, rows with RESOURCE_FIELDS, ordered by position


def load(ids: Sequence) -> list[PackageRows]:
    """The rows of these datasets (UUIDs), in this order; ids that do not exist are left out."""
    if not ids:
        return []
    found = _load_postgresql(ids) if connection.vendor == "postgresql" else _load_orm(ids)
    return [found[i] for i in ids if i in found]


def _columns(model, fields: Sequence[str], alias: str) -> str:
    return ", ".join(f"{alias}.{model._meta.get_field(name).column}" for name in fields)


@cache
def _statements() -> tuple[str, str, type, type, type]:
    """The two statements and the row types, built once from the models' table and column names."""
    dataset, org, res = Dataset._meta.db_table, Organization._meta.db_table, Resource._meta.db_table
    tags, groups = Dataset.tags.through._meta.db_table, Dataset.groups.through._meta.db_table
    # Only the models' table and column names are put into the SQL; the ids are a parameter.
    packages = (
        f"SELECT {_columns(Dataset, DATASET_FIELDS, 'd')}, {_columns(Organization, ORGANIZATION_FIELDS, 'o')}, "  # noqa: S608
        f"(SELECT json_agg(json_build_array(t.id, t.name) ORDER BY t.name) FROM {tags} dt "
        f" JOIN {Tag._meta.db_table} t ON t.id = dt.tag_id WHERE dt.dataset_id = d.id), "
        f"(SELECT json_agg(json_build_array(g.id, g.name, g.title, g.description) ORDER BY g.name) FROM {groups} dg "
        f" JOIN {Group._meta.db_table} g ON g.id = dg.group_id WHERE dg.dataset_id = d.id) "
        f"FROM {dataset} d JOIN {org} o ON o.id = d.organization_id WHERE d.id = ANY(%s)"
    )
    resources = (f"SELECT {_columns(Resource, RESOURCE_FIELDS, 'r')} FROM {res} r "  # noqa: S608
                 f"WHERE r.dataset_id = ANY(%s) AND r.state = 'active' ORDER BY r.position")
    return (packages, resources, NamedTuple("DatasetRow", [(f, Any) for f in DATASET_FIELDS]),
            NamedTuple("OrganizationRow", [(f, Any) for f in ORGANIZATION_FIELDS]),
            NamedTuple("ResourceRow", [(f, Any) for f in RESOURCE_FIELDS]))


def _decoder(fields: Sequence[str]):
    """Row tuple → the same tuple with its jsonb columns decoded, as Django's JSONField decodes them."""
    positions = [i for i, name in enumerate(fields) if name in _JSON_COLUMNS]

    def decode(row: tuple) -> list:
        values = list(row)
        for i in positions:
            value = values[i]
            if value is not None:
                # Most extras are empty: a new empty container costs a fraction of json.loads.
                values[i] = _EMPTY[value]() if value in _EMPTY else json.loads(value)
        return values

    return decode


_decode_dataset = _decoder(DATASET_FIELDS)
_decode_resource = _decoder(RESOURCE_FIELDS)


def _load_postgresql(ids: Sequence) -> dict[Any, PackageRows]:
    packages, resources, dataset_row, org_row, resource_row = _statements()
    by_dataset: dict[Any, list] = defaultdict(list)
    n, m = len(DATASET_FIELDS), len(DATASET_FIELDS) + len(ORGANIZATION_FIELDS)
    with connection.cursor() as cur:
        cur.execute(packages, [list(ids)])
        rows = cur.fetchall()
        cur.execute(resources, [list(ids)])
        for row in cur.fetchall():
            res = resource_row(*_decode_resource(row))
            by_dataset[res.dataset_id].append(res)
    result = {}
    for row in rows:
        ds = dataset_row(*_decode_dataset(row[:n]))
        result[ds.id] = PackageRows(ds, org_row(*row[n:m]), [TagRow(*t) for t in row[m] or ()],
                                    [GroupRow(*g) for g in row[m + 1] or ()], by_dataset[ds.id])
    return result


def _load_orm(ids: Sequence) -> dict[Any, PackageRows]:
    datasets = list(Dataset.objects.filter(id__in=ids).order_by().values_list(*DATASET_FIELDS, named=True))
    orgs = {org.id: org for org in Organization.objects.filter(pk__in={ds.organization_id for ds in datasets})
            .order_by().values_list(*ORGANIZATION_FIELDS, named=True)}
    tags: dict[Any, list] = defaultdict(list)
    for dataset_id, *tag in (Dataset.tags.through.objects.filter(dataset_id__in=ids).order_by("tag__name")
                             .values_list("dataset_id", "tag_id", "tag__name")):
        tags[dataset_id].append(TagRow(*tag))
    groups: dict[Any, list] = defaultdict(list)
    for dataset_id, *group in (Dataset.groups.through.objects.filter(dataset_id__in=ids).order_by("group__name")
                               .values_list("dataset_id", "group_id", "group__name", "group__title",
                                            "group__description")):
        groups[dataset_id].append(GroupRow(*group))
    resources: dict[Any, list] = defaultdict(list)
    for res in (Resource.objects.filter(dataset_id__in=ids, state="active").order_by("position")
                .values_list(*RESOURCE_FIELDS, named=True)):
        resources[res.dataset_id].append(res)
    return {ds.id: PackageRows(ds, orgs[ds.organization_id], tags[ds.id], groups[ds.id], resources[ds.id])
            for ds in datasets}
