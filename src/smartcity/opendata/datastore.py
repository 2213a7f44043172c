"""The DataStore: tabular resources as queryable rows (ADR 0070) and ``datastore_search``.

Loading is all-or-nothing: the old table stays until the new one is complete, and a broken file
leaves a clear German error on the resource for the editor.
"""

import json
import logging
import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, FloatField, Q, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from smartcity.audit.services import record

from . import csvsniff, paging
from .models import DatastoreRow, DatastoreTable, Resource

logger = logging.getLogger(__name__)
BATCH = 5000
LIMIT_DEFAULT = 100
LIMIT_MAX = 32000


class DatastoreError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _set_status(resource: Resource, status: str, error: str = "") -> None:
    from .search import bump_catalogue_version

    Resource.objects.filter(pk=resource.pk).update(datastore_status=status, datastore_error=error[:2000])
    bump_catalogue_version()  # datastore_active is part of the cached package dicts


def load(resource: Resource) -> DatastoreTable | None:
    """Load an uploaded CSV into the DataStore. Returns the table, or None with the error stored."""
    _set_status(resource, Resource.LoadStatus.RUNNING)
    try:
        table = _load(resource)
    except csvsniff.CsvProblem as exc:
        _set_status(resource, Resource.LoadStatus.ERROR, str(exc))
        record("system:opendata", "opendata.datastore.failed", resource, error=str(exc))
        return None
    except (OSError, ValueError) as exc:
        logger.warning("datastore load of %s failed: %s", resource.pk, exc)
        message = f"Die Datei konnte nicht gelesen werden ({exc.__class__.__name__})."
        _set_status(resource, Resource.LoadStatus.ERROR, message)
        return None
    _set_status(resource, Resource.LoadStatus.DONE)
    record("system:opendata", "opendata.datastore.loaded", resource, rows=table.row_count)
    return table


def _load(resource: Resource) -> DatastoreTable:
    if not resource.file:
        raise csvsniff.CsvProblem("Nur hochgeladene Dateien werden in den DataStore geladen.")
    with resource.file.open("rb") as fh:
        layout = csvsniff.detect_layout(fh.read(csvsniff.SAMPLE_BYTES))
    # Pass 1: infer the column types over the whole file (a late "n/a" must not break pass 2).
    with resource.file.open("rb") as fh:
        header, rows = csvsniff.read_rows(fh, layout)
        types: list[str | None] = [None] * len(header)
        count = 0
        for row in rows:
            count += 1
            if count > settings.OPENDATA_DATASTORE_MAX_ROWS:
                raise csvsniff.CsvProblem(f"Mehr als {settings.OPENDATA_DATASTORE_MAX_ROWS} Zeilen.")
            types = [csvsniff.widen(t, csvsniff.cell_type(c)) for t, c in zip(types, row, strict=True)]
    kinds = [t or "text" for t in types]
    # Pass 2: convert and insert in one transaction, replacing the previous table.
    with transaction.atomic(), resource.file.open("rb") as fh:
        DatastoreTable.objects.filter(resource=resource).delete()
        table = DatastoreTable.objects.create(
            resource=resource, fields=[{"id": h, "type": k} for h, k in zip(header, kinds, strict=True)],
            row_count=count, encoding=layout.encoding, delimiter=layout.delimiter, loaded_at=timezone.now())
        _, rows = csvsniff.read_rows(fh, layout)
        batch: list[DatastoreRow] = []
        for n, row in enumerate(rows, start=1):
            data = {h: csvsniff.convert(c, k) for h, c, k in zip(header, row, kinds, strict=True)}
            batch.append(DatastoreRow(table=table, row_no=n, data=data))
            if len(batch) >= BATCH:
                DatastoreRow.objects.bulk_create(batch)
                batch = []
        DatastoreRow.objects.bulk_create(batch)
    return table


# --- datastore_search ---------------------------------------------------------------------------

def _json_param(params: dict, key: str) -> Any:
    raw = params.get(key)
    if isinstance(raw, str) and raw.strip()[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise DatastoreError({key: ["Ungültiges JSON."]})
    return raw


def _int(params: dict, key: str, default: int, maximum: int = paging.MAX_INT) -> int:
    try:
        return paging.parse_int(params.get(key), default, maximum=maximum)
    except ValueError as exc:
        raise DatastoreError({key: [str(exc)]})


def _names(raw: Any) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, list):
        return [str(v).strip() for v in raw]
    return [v.strip() for v in str(raw).split(",") if v.strip()]


def search(resource: Resource, params: dict) -> dict[str, Any]:
    table = DatastoreTable.objects.filter(resource=resource).first()
    if table is None:
        raise DatastoreError({"resource_id": ["Diese Ressource ist nicht im DataStore geladen."]})
    kinds = {f["id"]: f["type"] for f in table.fields}

    def check(names: list[str], key: str) -> list[str]:
        unknown = [n for n in names if n not in kinds and n != "_id"]
        if unknown:
            raise DatastoreError({key: [f"Unbekannte Felder: {', '.join(unknown)}"]})
        return names

    fields = check(_names(_json_param(params, "fields")), "fields") or ["_id", *kinds]
    limit = _int(params, "limit", LIMIT_DEFAULT, LIMIT_MAX)
    offset = _int(params, "offset", 0)
    qs = DatastoreRow.objects.filter(table=table)
    narrowed = False

    filters = _json_param(params, "filters") or {}
    if not isinstance(filters, dict):
        raise DatastoreError({"filters": ["JSON-Objekt erwartet."]})
    for i, (name, value) in enumerate(filters.items()):
        check([name], "filters")
        values = value if isinstance(value, list) else [value]
        if name == "_id":
            qs = qs.filter(row_no__in=[_row_no(v) for v in values])
        elif connection.vendor == "postgresql":
            # JSONB containment (@>) is answered by the GIN index on data.
            match = Q()
            for value in values:
                match |= Q(data__contains={name: _typed(value, kinds[name])})
            qs = qs.filter(match)
        else:
            typed = [_typed(v, kinds[name]) for v in values]
            qs = qs.alias(**{f"f{i}": KeyTransform(name, "data")}).filter(**{f"f{i}__in": typed})
        narrowed = True

    q = _json_param(params, "q")
    if isinstance(q, dict):
        for i, (name, text) in enumerate(q.items()):
            check([name], "q")
            key = f"q{i}"
            qs = qs.alias(**{key: KeyTextTransform(name, "data")}).filter(**{f"{key}__icontains": str(text)})
            narrowed = True
    elif q:
        qs = qs.alias(row_text=Cast("data", TextField())).filter(row_text__icontains=str(q))
        narrowed = True

    ordering = []
    for part in _names(params.get("sort")):
        name, _, direction = part.partition(" ")
        check([name], "sort")
        if direction.strip().lower() not in ("", "asc", "desc"):
            raise DatastoreError({"sort": [f"asc oder desc erwartet, nicht {direction.strip()[:40]!r}."]})
        if name == "_id":
            expr = F("row_no")
        elif kinds[name] in ("int", "numeric"):
            expr = Cast(KeyTransform(name, "data"), FloatField())
        else:
            expr = KeyTextTransform(name, "data")
        ordering.append(expr.desc(nulls_last=True) if direction.strip().lower() == "desc" else expr.asc())
    ordering.append(F("row_no").asc())

    records_format = str(params.get("records_format") or "objects")
    if records_format not in ("objects", "lists"):
        raise DatastoreError({"records_format": ["Nur objects und lists werden unterstützt."]})
    page = qs.order_by(*ordering).values_list("row_no", "data")[offset:offset + limit]
    records = []
    for row_no, data in page:
        row = {"_id": row_no, **data}
        records.append({f: row.get(f) for f in fields} if records_format == "objects" else [row.get(f) for f in fields])
    include_total = str(params.get("include_total", "true")).lower() not in ("false", "0")
    result: dict[str, Any] = {
        "resource_id": str(resource.pk), "include_total": include_total, "records_format": records_format,
        "limit": limit, "offset": offset,
        "fields": [{"id": f, "type": "int" if f == "_id" else kinds[f]} for f in fields],
        "records": records,
    }
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if params.get("sort"):
        result["sort"] = params.get("sort")
    if include_total:
        result["total"] = qs.count() if narrowed else table.row_count
        result["total_was_estimated"] = False
    base = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if k not in ("offset",)}
    start = "/api/3/action/datastore_search?" + urlencode(base)
    result["_links"] = {"start": start,
                        "next": "/api/3/action/datastore_search?" + urlencode({**base, "offset": offset + limit})}
    if offset:
        result["_links"]["prev"] = "/api/3/action/datastore_search?" + urlencode(
            {**base, "offset": max(0, offset - limit)})
    return result


def _row_no(value: Any) -> int:
    try:
        return paging.parse_int(value, 0, minimum=1)
    except ValueError:
        raise DatastoreError({"filters": [f"_id: positive ganze Zahl erwartet, nicht {str(value)[:40]!r}."]})


def _typed(value: Any, kind: str) -> Any:
    """Filter values arrive as strings from GET requests; compare them as the column's JSON type."""
    if value is None or kind not in ("int", "numeric"):
        return value if value is None or isinstance(value, str) else str(value)
    problem = DatastoreError({"filters": [f"Zahl erwartet, nicht {str(value)[:40]!r}."]})
    if isinstance(value, dict | list | bool):
        raise problem
    try:
        number = int(str(value)) if kind == "int" else float(str(value).replace(",", "."))
    except ValueError:
        raise problem
    # NaN/Infinity are not JSON; integers beyond 64 bit are never stored (and overflow SQLite's binding).
    if not math.isfinite(number) or kind == "int" and abs(number) >= 2**63:
        raise DatastoreError({"filters": [f"Zahl außerhalb des Wertebereichs: {str(value)[:40]!r}."]})
    return number
