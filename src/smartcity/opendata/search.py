"""package_search on the database: q/fq compiled to filters, facet counts as grouped queries.

PostgreSQL matches free text against the weighted german tsvector (GIN index) and ranks by
ts_rank; SQLite matches the lower-cased ``search_text`` column with LIKE (correct, slower).
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from . import query, vocab
from .models import Dataset, Resource

VERSION_KEY = "opendata:catalogue-version"
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
DEFAULT_SORT = "score desc, metadata_modified desc"
SORT_FIELDS = {
    "metadata_modified": "metadata_modified", "metadata_created": "metadata_created", "name": "name",
    "title_string": "title", "title": "title", "id": "id", "score": "score",
}
_EXTRA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$")


class SearchQueryError(ValueError):
    """Bad q/fq/sort: reported to the client, never a 500."""


@dataclass
class SearchResult:
    count: int
    ids: list  # dataset ids of the requested page, in order
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # field → (name, label, count)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _none() -> Q:
    return Q(pk__in=[])


def _through(model_field: str):
    return getattr(Dataset, model_field).through


def _text_q(value: str, phrase: bool) -> Q:
    value = value.strip()
    if not value or value == "*":
        return Q()
    if _is_pg():
        if value.endswith("*") and not phrase:
            stem = re.sub(r"[^\w]", "", value[:-1])
            return Q(search_vector=SearchQuery(f"{stem}:*", config="german", search_type="raw")) if stem else Q()
        return Q(search_vector=SearchQuery(value, config="german", search_type="phrase" if phrase else "plain"))
    return Q(search_text__contains=value.rstrip("*").lower())


def _date_range(field_name: str, low: str | None, high: str | None, incl_low: bool, incl_high: bool) -> Q:
    q = Q()
    if low is not None:
        q &= Q(**{f"{field_name}__{'gte' if incl_low else 'gt'}": query.parse_datetime(low)})
    if high is not None:
        q &= Q(**{f"{field_name}__{'lte' if incl_high else 'lt'}": query.parse_datetime(high)})
    return q


# field:stem* (Solr's prefix query) per field; title and notes match substrings anyway, like field:value.
_PREFIX_LOOKUPS = {"name": "name__startswith", "url": "url__startswith", "version": "version__startswith",
                   "author": "author__istartswith", "maintainer": "maintainer__istartswith",
                   "license_id": "license_id__startswith", "title": "title__icontains", "notes": "notes__icontains",
                   "organization": "organization__name__startswith"}


def _prefix_q(f: str, stem: str) -> Q | None:
    if f in _PREFIX_LOOKUPS:
        return Q(**{_PREFIX_LOOKUPS[f]: stem})
    if f in ("tags", "groups"):
        target = "tag" if f == "tags" else "group"
        return Q(id__in=_through(f).objects.filter(**{f"{target}__name__istartswith": stem}).values("dataset_id"))
    if f in ("res_format", "res_name", "res_url", "res_description"):
        column = "format__istartswith" if f == "res_format" else f"{f[4:]}__icontains"
        return Q(id__in=Resource.objects.filter(state="active", **{column: stem}).values("dataset_id"))
    return None  # other fields: the value is compared as it is


def _term_q(node: query.Term) -> Q:
    f, v = node.field, node.value
    any_value = v == "*" and not node.phrase
    if f != "text" and not node.phrase and len(v) > 1 and v.endswith("*"):
        prefix = _prefix_q(f, v.rstrip("*"))
        if prefix is not None:
            return prefix
    if f == "text":
        return _text_q(v, node.phrase)
    if f in ("name", "license_id", "state", "url", "version", "author", "maintainer"):
        lookup = {"url": "url", "license_id": "license_id"}.get(f, f)
        if any_value:
            return ~Q(**{lookup: ""})
        return Q(**{lookup: vocab.normalise_license(v) if f == "license_id" else v})
    if f in ("title", "notes"):
        return ~Q(**{f: ""}) if any_value else Q(**{f"{f}__icontains": v})
    if f == "id":
        return Q() if any_value else (Q(id=v) if _is_uuid(v) else _none())
    if f == "owner_org":
        return Q() if any_value else (Q(organization_id=v) if _is_uuid(v) else _none())
    if f == "organization":
        return Q() if any_value else Q(organization__name=v)
    if f in ("tags", "groups"):
        through = _through(f)
        target = "tag" if f == "tags" else "group"
        rows = through.objects.all() if any_value else through.objects.filter(**{f"{target}__name": v})
        return Q(id__in=rows.values("dataset_id"))
    if f in ("res_format", "res_name", "res_url", "res_description"):
        column = {"res_format": "format__iexact", "res_name": "name__icontains", "res_url": "url__icontains",
                  "res_description": "description__icontains"}[f]
        rows = Resource.objects.filter(state="active")
        if not any_value:
            rows = rows.filter(**{column: v})
        return Q(id__in=rows.values("dataset_id"))
    if f == "capacity":
        return Q() if any_value else (Q(private=False) if v == "public" else Q(private=True))
    if f in ("dataset_type", "type"):
        return Q() if any_value or v == "dataset" else _none()
    if f in ("metadata_modified", "metadata_created"):
        return Q() if any_value else _date_range(f, v, v, True, True)
    if f.startswith("extras_") and _EXTRA_KEY.match(f[7:]):
        key = f[7:]
        return Q(**{f"extras__{key}__isnull": False}) if any_value else Q(**{f"extras__{key}": v})
    raise SearchQueryError(f"Unbekanntes Suchfeld: {f}")


def compile_node(node: query.Node) -> Q:
    if isinstance(node, query.MatchAll):
        return Q()
    if isinstance(node, query.Text):
        return _text_q(node.value, node.phrase)
    if isinstance(node, query.Term):
        return _term_q(node)
    if isinstance(node, query.Range):
        if node.field not in ("metadata_modified", "metadata_created"):
            raise SearchQueryError(f"Bereichssuche nur für metadata_modified/metadata_created, nicht {node.field}")
        return _date_range(node.field, node.low, node.high, node.include_low, node.include_high)
    if isinstance(node, query.Not):
        return ~compile_node(node.node)
    if isinstance(node, query.And):
        result = Q()
        for child in node.nodes:
            result &= compile_node(child)
        return result
    if isinstance(node, query.Or):
        result = _none()
        for child in node.nodes:
            result |= compile_node(child)
        return result
    raise SearchQueryError("Ungültige Abfrage")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def _texts(node: query.Node) -> list[str]:
    """Positive free-text terms, for ranking."""
    if isinstance(node, query.Text):
        return [node.value.rstrip("*")]
    if isinstance(node, query.Term) and node.field == "text":
        return [node.value]
    if isinstance(node, query.And | query.Or):
        return [t for child in node.nodes for t in _texts(child)]
    return []


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    """'metadata_modified desc, id asc' → [("metadata_modified", True), ("id", False)]."""
    result = []
    for part in (sort or DEFAULT_SORT).split(","):
        bits = part.split()
        if not bits:
            continue
        if len(bits) > 2 or bits[0] not in SORT_FIELDS or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise SearchQueryError(f'Ungültiger "sort"-Parameter: {part.strip()!r}')
        result.append((SORT_FIELDS[bits[0]], len(bits) == 2 and bits[1].lower() == "desc"))
    return result


def filtered(base: QuerySet[Dataset], q: str, fq_list: list[str]) -> tuple[QuerySet[Dataset], list[str]]:
    try:
        q_node = query.parse(q)
        fq_nodes = [query.parse(fq) for fq in fq_list]
        qs = base.filter(compile_node(q_node))
        for node in fq_nodes:
            qs = qs.filter(compile_node(node))
    except query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc))
    except (ValueError, OverflowError) as exc:  # e.g. an impossible date in a range
        raise SearchQueryError(f"Ungültiger Wert: {exc}")
    return qs, _texts(q_node)


def search(base: QuerySet[Dataset], *, q: str = "", fq_list: list[str] = (), sort: str = "", rows: int = 10,
           start: int = 0, facet_fields: list[str] = (), facet_limit: int = 50, facet_mincount: int = 1,
           ) -> SearchResult:
    qs, texts = filtered(base, q, list(fq_list))
    order = parse_sort(sort)
    ordering: list = []
    if any(f == "score" for f, _ in order) and texts and _is_pg():
        qs = qs.annotate(score=SearchRank(F("search_vector"), SearchQuery(" ".join(texts), config="german")))
    for name, desc in order:
        if name == "score" and "score" not in qs.query.annotations:
            continue
        # Sort columns are NOT NULL: a plain DESC lets PostgreSQL walk the btree index instead of sorting.
        ordering.append(F(name).desc() if desc else F(name).asc())
    ordering.append(F("id").asc())  # deterministic paging
    page = list(qs.order_by(*ordering).values_list("id", flat=True)[start:start + rows]) if rows else []
    fields = [name for name in facet_fields if name in FACET_FIELDS]

    def aggregates() -> tuple[int, dict]:
        return qs.count(), {name: facet_counts(qs, name, facet_limit, facet_mincount) for name in fields}

    key = _aggregate_key(base, q, fq_list, fields, facet_limit, facet_mincount)
    count, facets = cached_aggregates(key, aggregates)
    return SearchResult(count, page, facets)


def catalogue_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def bump_catalogue_version() -> None:
    """Called after every change of the catalogue: cached counts of the old version are never read again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _aggregate_key(base: QuerySet, q: str, fq_list, fields, limit: int, mincount: int) -> str:
    # The visibility filter (public only, or which organisations' drafts/private datasets) is part of the key.
    scope = str(base.query)
    raw = json.dumps([scope, q, list(fq_list), fields, limit, mincount], ensure_ascii=False)
    return f"opendata:agg:{catalogue_version()}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_aggregates(key: str, compute):
    """Count and facet counts are computed in the database and kept until the catalogue changes."""
    seconds = settings.OPENDATA_FACET_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    hit = cache.get(key)
    if hit is None:
        hit = compute()
        cache.set(key, hit, seconds)
    return hit


def facet_counts(qs: QuerySet[Dataset], name: str, limit: int, mincount: int) -> list[tuple[str, str, int]]:
    ids = qs.order_by().values("id")
    if name == "organization":
        rows = (qs.order_by().values_list("organization__name", "organization__title")
                .annotate(n=Count("id")))
    elif name == "license_id":
        rows = ((lic, vocab.LICENSES[lic].title if lic in vocab.LICENSES else lic, n)
                for lic, n in qs.order_by().values_list("license_id").annotate(n=Count("id")))
    elif name in ("tags", "groups"):
        target = "tag" if name == "tags" else "group"
        label = f"{target}__name" if name == "tags" else "group__title"
        rows = (_through(name).objects.filter(dataset_id__in=ids).values_list(f"{target}__name", label)
                .annotate(n=Count("dataset_id")))
    else:  # res_format: distinct (format, dataset) pairs first, then a plain count (no sort-based DISTINCT)
        pairs = (Resource.objects.filter(dataset_id__in=ids, state="active").exclude(format="")
                 .values("format", "dataset_id").distinct().order_by())
        rows = _count_pairs(pairs)
    items = sorted(((v, label, n) for v, label, n in rows if n >= mincount), key=lambda r: (-r[2], r[0]))
    return items if limit < 0 else items[:limit]


def _count_pairs(pairs: QuerySet) -> list[tuple[str, str, int]]:
    sql, params = pairs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.format, COUNT(*) FROM ({sql}) p GROUP BY p.format", params)  # noqa: S608
        return [(fmt, fmt, n) for fmt, n in cur.fetchall()]


def modified_since(value: str) -> datetime:
    try:
        return query.parse_datetime(value)
    except query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc))
