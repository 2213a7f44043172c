"""The rows a package dict is built from, for many datasets at once and without model instances (ADR 0073).

Every row has the attribute names of its model, so ``dictize`` builds the same dict from a row as from an
instance. PostgreSQL: one statement returns the whole page as one JSON document (ADR 0073, amendment): per
dataset an array of its columns, its organisation's columns, its tags, groups and active resources, with the
timestamps already written as ``dictize`` writes them and the ids as text, so Python makes no datetime or UUID
objects and decodes the page with one ``json.loads``. Other databases: one ORM query per table.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import DateTimeField

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
# PostgreSQL writes the timestamps as dictize writes them (ckan_time and _iso pass text through): CKAN's naive UTC
# with microseconds; the DCAT-AP.de extras issued/modified as datetime.isoformat() of the UTC value (offset
# +00:00, microseconds only when not 0). FM: years before 1000 without zeros, as strftime's %Y on glibc.
_CKAN_TIME = "to_char({c} AT TIME ZONE 'UTC', 'FMYYYY-MM-DD\"T\"HH24:MI:SS.US')"
_ISO_TIME = ("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
             "|| CASE WHEN {c} = date_trunc('second', {c}) THEN '' ELSE to_char({c} AT TIME ZONE 'UTC', '.US') END "
             "|| '+00:00'")
_ISO_TIMES = {"issued", "modified"}


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
    keys = [str(i) for i in ids]
    return [found[key] for key in keys if key in found]


def _columns(model, fields: Sequence[str], alias: str) -> str:
    """The fields as JSON array elements: timestamps as text (see _CKAN_TIME), every other value as it is
    (uuid as its canonical text, jsonb as the JSON it holds, date as ISO 8601)."""
    columns = []
    for name in fields:
        field = model._meta.get_field(name)
        column = f"{alias}.{field.column}"
        if isinstance(field, DateTimeField):
            column = (_ISO_TIME if name in _ISO_TIMES else _CKAN_TIME).format(c=column)
        columns.append(column)
    return ", ".join(columns)


@cache
def _statement() -> tuple[str, type, type, type]:
    """The statement and the row types, built once from the models' table and column names."""
    dataset, org, res = Dataset._meta.db_table, Organization._meta.db_table, Resource._meta.db_table
    tags, groups = Dataset.tags.through._meta.db_table, Dataset.groups.through._meta.db_table
    # Only the models' table and column names are put into the SQL; the ids are a parameter. Tags and groups by
    # primary key (= ANY of the dataset's ids): joined instead, the planner hashes the whole tag table per dataset.
    statement = (
        f"SELECT json_agg(json_build_array({_columns(Dataset, DATASET_FIELDS, 'd')}, "  # noqa: S608
        f"{_columns(Organization, ORGANIZATION_FIELDS, 'o')}, "
        f"(SELECT json_agg(json_build_array(t.id, t.name) ORDER BY t.name) FROM {Tag._meta.db_table} t "
        f" WHERE t.id = ANY(ARRAY(SELECT dt.tag_id FROM {tags} dt WHERE dt.dataset_id = d.id))), "
        f"(SELECT json_agg(json_build_array(g.id, g.name, g.title, g.description) ORDER BY g.name) "
        f" FROM {Group._meta.db_table} g "
        f" WHERE g.id = ANY(ARRAY(SELECT dg.group_id FROM {groups} dg WHERE dg.dataset_id = d.id))), "
        f"(SELECT json_agg(json_build_array({_columns(Resource, RESOURCE_FIELDS, 'r')}) ORDER BY r.position) "
        f" FROM {res} r WHERE r.dataset_id = d.id AND r.state = 'active')))::text "
        f"FROM {dataset} d JOIN {org} o ON o.id = d.organization_id WHERE d.id = ANY(%s)"
    )
    return (statement, NamedTuple("DatasetRow", [(f, Any) for f in DATASET_FIELDS]),
            NamedTuple("OrganizationRow", [(f, Any) for f in ORGANIZATION_FIELDS]),
            NamedTuple("ResourceRow", [(f, Any) for f in RESOURCE_FIELDS]))


def _load_postgresql(ids: Sequence) -> dict[str, PackageRows]:
    statement, dataset_row, org_row, resource_row = _statement()
    with connection.cursor() as cur:
        cur.execute(statement, [list(ids)])
        page = cur.fetchone()[0]
    n, m = len(DATASET_FIELDS), len(DATASET_FIELDS) + len(ORGANIZATION_FIELDS)
    result = {}
    for values in json.loads(page) if page else ():
        ds = dataset_row._make(values[:n])
        result[ds.id] = PackageRows(ds, org_row._make(values[n:m]), [TagRow(*t) for t in values[m] or ()],
                                    [GroupRow(*g) for g in values[m + 1] or ()],
                                    [resource_row._make(r) for r in values[m + 2] or ()])
    return result


def _load_orm(ids: Sequence) -> dict[str, PackageRows]:
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
    return {str(ds.id): PackageRows(ds, orgs[ds.organization_id], tags[ds.id], groups[ds.id], resources[ds.id])
            for ds in datasets}
