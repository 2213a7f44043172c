"""package_search on the database: q/fq compiled to filters, facet counts as grouped queries.

PostgreSQL matches free text against the weighted german tsvector (GIN index) and ranks by
ts_rank; SQLite matches the lower-cased ``search_text`` column with LIKE (correct, slower).
"""

import hashlib
import json
import os
import re
import threading
import uuid
from collections import Counter
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import BooleanField, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from . import permissions, query, vocab
from .models import Dataset, FacetCount, Group, Organization, Resource

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


def _facet_column_q(f: str, v: str) -> Q:
    """PostgreSQL: ``tags:x``, ``groups:x``, ``res_format:x`` as containment in the dataset's facet column
    (``facet_tags @> '["x"]'``) instead of a sub-select on the relation table.

    The columns hold exactly what the relation tables say (``services.reindex``, ADR 0071): tag names, group
    names, the distinct formats of the active resources. Formats are stored upper-case
    (``vocab.normalise_format``), so the case-insensitive ``res_format`` compares the upper-cased value.
    The columns are never NULL, so a negation is exact.

    The JSON test is ANDed with the code test it implies (``facet_codes`` holds ``hashtext('<field>:<value>')`` of
    every value, migration 0005), which the GIN index of migration 0008 answers: several such filters are one
    index scan (ADR 0095). A hash collision only adds candidates the JSON test rejects, so the result, negated or
    not, is the JSON test's."""
    column, value = _FACET_COLUMNS[f], v.upper() if f == "res_format" else v
    code = RawSQL('"opendata_dataset"."facet_codes" @> ARRAY[hashtext(%s)]', (f"{f}:{value}",),
                  output_field=BooleanField())
    return Q(code, **{f"{column}__contains": [value]})


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
    if f in ("tags", "groups", "res_format") and not any_value and _is_pg() and v.strip():
        return _facet_column_q(f, v)
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


def compile_filters(q: str, fq_list: list[str]) -> tuple[Q, list[str]]:
    """q and every fq as one filter (AND), and the positive free-text terms of q for ranking."""
    try:
        q_node = query.parse(q)
        where = compile_node(q_node)
        for fq in fq_list:
            where &= compile_node(query.parse(fq))
    except query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc))
    except (ValueError, OverflowError) as exc:  # e.g. an impossible date in a range
        raise SearchQueryError(f"Ungültiger Wert: {exc}")
    return where, _texts(q_node)


def filtered(scope: Q, q: str, fq_list: list[str]) -> QuerySet[Dataset]:
    """The datasets within ``scope`` (permissions.visible_scope) that match q and fq."""
    return Dataset.objects.filter(scope & compile_filters(q, fq_list)[0])


def search(scope: Q, *, q: str = "", fq_list: list[str] = (), sort: str = "", rows: int = 10,
           start: int = 0, facet_fields: list[str] = (), facet_limit: int = 50, facet_mincount: int = 1,
           ) -> SearchResult:
    where, texts = compile_filters(q, list(fq_list))
    order = parse_sort(sort)
    ranked = bool(texts) and _is_pg() and any(f == "score" for f, _ in order)
    # Sort columns are NOT NULL: a plain DESC lets PostgreSQL walk the btree index instead of sorting.
    order = [(name, desc) for name, desc in order if name != "score" or ranked]
    order.append(("id", False))  # deterministic paging
    fields = [name for name in facet_fields if name in FACET_FIELDS]
    word = _one_word(scope, q, fq_list, order)
    found = _from_terms(word, fields, start, rows) if word else None
    if found is not None:
        count, raw, page = found
        return SearchResult(count, page, _ranked(raw, facet_limit, facet_mincount))
    qs = Dataset.objects.filter(scope & where)  # built only here: the postings above need no queryset
    if ranked:
        qs = qs.annotate(score=SearchRank(F("search_vector"), SearchQuery(" ".join(texts), config="german")))
    by_bucket = _by_bucket(scope & where)
    seconds = settings.OPENDATA_FACET_CACHE_SECONDS
    key = _aggregate_key(qs, q, fq_list, fields, facet_limit, facet_mincount) if seconds > 0 else ""
    hit = cache.get(key) if seconds > 0 else None
    if hit is None and not by_bucket and fields and _is_pg():
        # One statement reads the matching rows once for the page, the count and every facet (ADR 0072).
        count, facets, page = page_count_and_facets(qs, order, start, rows, fields, facet_limit, facet_mincount)
        if seconds > 0:
            cache.set(key, (count, facets), seconds)
        return SearchResult(count, page, facets)
    ordering = [F(name).desc() if desc else F(name).asc() for name, desc in order]
    page = list(qs.order_by(*ordering).values_list("id", flat=True)[start:start + rows]) if rows else []
    if hit is None:
        if by_bucket:
            hit = bucket_counts(scope & where, fields, facet_limit, facet_mincount)
        elif not fields:
            hit = qs.count(), {}
        else:
            hit = count_and_facets(qs, fields, facet_limit, facet_mincount)
        if seconds > 0:
            cache.set(key, hit, seconds)
    count, facets = hit
    return SearchResult(count, page, facets)


def catalogue_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def bump_catalogue_version() -> None:
    """Called after every change of the catalogue: cached counts of the old version are never read again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _aggregate_key(qs: QuerySet[Dataset], q: str, fq_list, fields, limit: int, mincount: int) -> str:
    """The cache key of the count and facets: the filter as SQL and parameters (so the visibility scope and
    resolved ``NOW`` dates are part of it). Only the ids are selected: compiling every column (or the rank)
    costs twice as much and does not change the count."""
    sql, params = qs.order_by().values_list("pk").query.sql_with_params()
    # repr() of a JSON parameter is shortened by psycopg; q and fq themselves keep such values apart.
    raw = json.dumps([sql, params, q, list(fq_list), fields, limit, mincount], ensure_ascii=False, default=repr)
    return f"opendata:agg:{catalogue_version()}:{hashlib.sha256(raw.encode()).hexdigest()}"


# Facet field → the column of the matching rows that holds its value(s); list columns are JSON arrays.
_FACET_COLUMNS = {"organization": "organization_id", "license_id": "license_id", "tags": "facet_tags",
                  "groups": "facet_groups", "res_format": "facet_formats"}
_LIST_FACETS = ("tags", "groups", "res_format")


# Per database: one facet's GROUP BY over the CTE ``m``; list facets expand their JSON array per row.
# Only fixed column aliases and the facet's index are put into the SQL; every value travels as a parameter.
_GROUP_SQL = {
    # A set-returning function in the select list (ProjectSet) is cheaper than a lateral join per row.
    "postgresql": {"list": "SELECT {i}, v, COUNT(*) FROM (SELECT jsonb_array_elements_text(m.{c}) v FROM m) e "
                           "GROUP BY v",
                   "column": "SELECT {i}, m.{c}::text, COUNT(*) FROM m GROUP BY m.{c}"},
    "sqlite": {"list": "SELECT {i}, e.value, COUNT(*) FROM m, json_each(m.{c}) e GROUP BY e.value",
               "column": "SELECT {i}, m.{c}, COUNT(*) FROM m GROUP BY m.{c}"},
}


def _facet_sql(qs: QuerySet[Dataset], fields: list[str], page: list[tuple[str, bool]] | None = None,
               ) -> tuple[str, tuple]:
    """One statement for the count and all facet counts: the matching rows are read once (a CTE ``m``) and
    each facet is a GROUP BY over them. With ``page`` (the sort order, ending with ``id``) the CTE also
    carries the sort keys and the statement also returns the ids of a page; the caller appends the LIMIT
    and OFFSET parameters. Django 5.2 selects ``values_list`` columns in the order given (aliases below).

    Result rows: ``(-1, NULL, count)``, ``(i, value, n)`` for facet ``fields[i]``, ``(-2, id, position)``."""
    page = _unique_keys(page)
    keys = [name for name, _desc in page or []]
    columns = [*keys, *(_FACET_COLUMNS[name] for name in fields)]
    inner, params = qs.order_by().values_list(*columns).query.sql_with_params()
    templates = _GROUP_SQL[connection.vendor]
    key_aliases = [f"k{j}" for j in range(len(keys))]
    aliases = [f"c{i}" for i in range(len(fields))]
    groups = [templates["list" if name in _LIST_FACETS else "column"].format(i=i, c=aliases[i])
              for i, name in enumerate(fields)]
    parts = ["SELECT -1, NULL, COUNT(*) FROM m", *groups]
    if page is not None:
        parts.append(_page_sql(keys, key_aliases, page))
    union = " UNION ALL ".join(parts)
    return f"WITH m({', '.join(key_aliases + aliases)}) AS ({inner}) {union}", params  # noqa: S608 (see _GROUP_SQL)


# PostgreSQL (migration 0005): ``facet_codes`` holds hashtext('<field>:<value>') of every facet value of a
# dataset. One unnest and one integer hash aggregate count all facets; the counted codes ``a(c, n)`` are decoded
# with the dictionary ``opendata_facetcode`` (migration 0007: every pair FacetCount ever held, added by a trigger
# in the transaction that inserts the counts). Row -3 counts the codes without exactly one entry (unknown, or a
# hash collision): if it is not 0 the caller falls back to the JSON statement, so the counts stay exact.
_DECODE_CTE = ("x AS (SELECT a.c, a.n, k.field, k.value, COUNT(*) OVER (PARTITION BY a.c) entries "
               "      FROM a LEFT JOIN opendata_facetcode k ON k.code = a.c)")
_DECODED_ROWS = (
    "SELECT -3, NULL, COUNT(*) FILTER (WHERE x.field IS NULL OR x.entries > 1) FROM x "
    "UNION ALL SELECT array_position(%s::text[], x.field) - 1, x.value, x.n FROM x WHERE x.field = ANY(%s::text[])"
)
_CODED_SQL = (
    "WITH m({columns}) AS ({inner}), "  # noqa: S608 (constants; see _GROUP_SQL)
    "a AS (SELECT c, COUNT(*) n FROM (SELECT unnest(m.codes) c FROM m) e GROUP BY c), " + _DECODE_CTE + " "
    "SELECT -1, NULL, COUNT(*) FROM m UNION ALL " + _DECODED_ROWS
)


def _coded_sql(qs: QuerySet[Dataset], fields: list[str], page: list[tuple[str, bool]] | None,
               with_keys: bool = False) -> tuple[str, tuple]:
    """_facet_sql with all facets counted from ``facet_codes`` (PostgreSQL); ``with_keys``: see _page_sql."""
    page = _unique_keys(page)
    keys = [name for name, _desc in page or []]
    qs = qs.annotate(codes=RawSQL('"opendata_dataset"."facet_codes"', ()))
    inner, params = qs.order_by().values_list(*keys, "codes").query.sql_with_params()
    key_aliases = [f"k{j}" for j in range(len(keys))]
    sql = _CODED_SQL.format(columns=", ".join([*key_aliases, "codes"]), inner=inner)
    if page is not None:
        sql += " UNION ALL " + _page_sql(keys, key_aliases, page, with_keys)
    return sql, (*params, fields, fields)


# One-word searches of the public catalogue (PostgreSQL, migration 0006, ADR 0091): the count and the facet counts
# from the facet rows of the word's lexeme (their sums, so deltas not yet compacted count), the page from the start
# of its postings (an index in the default order). Only for the public scope, no fq and the default order (score,
# metadata_modified desc, id); a word that is not exactly one lexeme (a stop word, a token the parser splits) is
# told by row -4, an undecodable code by row -3: both take the statement over the datasets.
_WORD = re.compile(r"^[^\W_]{1,40}$")
_DEFAULT_ORDER = [("score", True), ("metadata_modified", True), ("id", False)]
_TERM_SQL = (
    "WITH t(l, n) AS (SELECT a[1], cardinality(a) FROM tsvector_to_array(to_tsvector('german', %s)) a), "  # noqa: S608
    "s AS (SELECT code, SUM(n) n FROM opendata_searchfacet WHERE lexeme = (SELECT l FROM t WHERE n = 1) "
    "      GROUP BY code), "
    "a AS (SELECT code c, n FROM s WHERE code IS NOT NULL AND n > 0), " + _DECODE_CTE + " "
    "SELECT -1, NULL, COALESCE((SELECT n FROM s WHERE code IS NULL), 0) UNION ALL " + _DECODED_ROWS + " "
    "UNION ALL SELECT -4, NULL, n FROM t "
    "UNION ALL SELECT -2, p.dataset_id::text, row_number() OVER (ORDER BY p.rank DESC, p.modified DESC, p.dataset_id) "
    "FROM (SELECT rank, modified, dataset_id FROM opendata_searchterm WHERE lexeme = (SELECT l FROM t WHERE n = 1) "
    "      ORDER BY rank DESC, modified DESC, dataset_id LIMIT %s OFFSET %s) p"
)
# Folds the delta rows of the lexemes that have any into one row per (lexeme, code), in one statement: rows a
# concurrent change commits later are not in its snapshot and stay as they are.
_COMPACT_SQL = (
    "WITH dirty AS (SELECT DISTINCT lexeme FROM opendata_searchfacet WHERE delta), "
    "gone AS (DELETE FROM opendata_searchfacet f USING dirty WHERE f.lexeme = dirty.lexeme "
    "         RETURNING f.lexeme, f.code, f.n), "
    "kept AS (INSERT INTO opendata_searchfacet (lexeme, code, n, delta) "
    "         SELECT lexeme, code, SUM(n), false FROM gone GROUP BY lexeme, code HAVING SUM(n) <> 0 RETURNING 1) "
    "SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)"
)


def _one_word(scope: Q, q: str, fq_list, order: list[tuple[str, bool]]) -> str | None:
    """The word of a search the postings answer, else None."""
    if not (settings.OPENDATA_SEARCH_TERMS and _is_pg()) or _unique_keys(order) != _DEFAULT_ORDER:
        return None
    node = query.parse(q)
    if not (isinstance(node, query.Text) and not node.phrase and _WORD.match(node.value.strip())):
        return None
    if scope != permissions.visible_scope(None) or any(not isinstance(query.parse(fq), query.MatchAll)
                                                       for fq in fq_list):
        return None
    return node.value.strip()


def _from_terms(word: str, fields: list[str], start: int, rows: int,
                ) -> tuple[int, dict[str, dict[str, int]], list] | None:
    """_split_rows of a one-word search from the postings and facet rows; None where they cannot answer it."""
    result = _run_facet_sql(_TERM_SQL, (word, fields, fields, rows, start))
    if any((index == -4 and n != 1) or (index == -3 and n != 0) for index, _v, n in result):
        return None
    return _split_rows([row for row in result if row[0] >= -2], fields)


def compact_search_facets() -> tuple[int, int]:
    """Fold the facet rows' deltas (beat task; ADR 0091): (rows removed, rows written). One run at a time."""
    if not _is_pg():
        return 0, 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(hashtext('opendata_searchfacet_compact'))")
        if not cur.fetchone()[0]:
            return 0, 0
        cur.execute(_COMPACT_SQL)
        return cur.fetchone()


def _unique_keys(page: list[tuple[str, bool]] | None) -> list[tuple[str, bool]] | None:
    """Each sort column once, at its first place: "id desc, …, id asc" orders by id desc."""
    if not page:
        return page
    return [(name, desc) for j, (name, desc) in enumerate(page) if name not in {n for n, _d in page[:j]}]


def _page_sql(keys: list[str], key_aliases: list[str], page: list[tuple[str, bool]], with_keys: bool = False,
              ) -> str:
    """The page branch over the CTE ``m``: ordered by the sort keys, LIMIT/OFFSET parameters appended by the
    caller; row_number() numbers its (at most ``rows``) rows in that order. Only aliases are put in the SQL.
    Each row carries the id, or with ``with_keys`` all sort keys as a JSON array (ending with the id)."""
    order = ", ".join(f"{alias} {'DESC' if desc else 'ASC'}"
                      for alias, (_n, desc) in zip(key_aliases, page, strict=True))
    value = f"json_build_array({', '.join(key_aliases)})" if with_keys else f"p.{key_aliases[keys.index('id')]}"
    return (f"SELECT -2, {value}::text, row_number() OVER (ORDER BY {order}) "  # noqa: S608 (aliases only)
            f"FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) p")


# The planner expects 100 rows per expanded array and so JIT-compiles the statement, which costs more than the
# statement itself (EXPLAIN: ~40 % of the time); for this one statement JIT is off. The matching rows (the CTE)
# stay in memory instead of a temporary file (16k matches ≈ 4 MB). Both as SET LOCAL (is_local = true).
_LOCAL_SETTINGS = "set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"


def _run_facet_sql(sql: str, params) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cur:
        if _is_pg():
            cur.execute(f"SELECT {_LOCAL_SETTINGS}")  # noqa: S608 (constant)
        cur.execute(sql, params)
        return cur.fetchall()


def _split_rows(rows: list[tuple], fields: list[str]) -> tuple[int, dict[str, dict[str, int]], list]:
    count = 0
    raw: dict[str, dict[str, int]] = {name: {} for name in fields}
    page: list[tuple[int, str]] = []
    for index, value, n in rows:
        if index == -1:
            count = n
        elif index == -2:
            page.append((n, value))
        elif value is not None and value != "":
            raw[fields[index]][str(value)] = n
    return count, raw, [uuid.UUID(value) for _n, value in sorted(page)]


def _facet_rows(qs: QuerySet[Dataset], fields: list[str], page: list[tuple[str, bool]] | None = None,
                tail: tuple = ()) -> list[tuple]:
    """Rows of the facet statement: from ``facet_codes`` on PostgreSQL unless that cannot be decoded exactly
    (row -3 ≠ 0), else from the JSON columns. ``tail``: the LIMIT/OFFSET parameters of the page branch."""
    if _is_pg():
        sql, params = _coded_sql(qs, fields, page)
        rows = _run_facet_sql(sql, (*params, *tail))
        if all(n == 0 for index, _v, n in rows if index == -3):
            return [row for row in rows if row[0] != -3]
    sql, params = _facet_sql(qs, fields, page)
    return _run_facet_sql(sql, (*params, *tail))


def count_and_facets(qs: QuerySet[Dataset], fields: list[str], limit: int, mincount: int,
                     ) -> tuple[int, dict[str, list[tuple[str, str, int]]]]:
    """The number of matching datasets and, per facet field, (value, label, count) sorted by count desc."""
    count, raw, _page = _split_rows(_facet_rows(qs, fields), fields)
    return count, _ranked(raw, limit, mincount)


def page_count_and_facets(qs: QuerySet[Dataset], order: list[tuple[str, bool]], start: int, rows: int,
                          fields: list[str], limit: int, mincount: int,
                          ) -> tuple[int, dict[str, list[tuple[str, str, int]]], list]:
    """count_and_facets plus the ids of the page ``[start, start + rows)`` in ``order`` (which ends with
    ``("id", False)``), from one read of the matching rows (ADR 0072)."""
    if not rows:
        count, facets = count_and_facets(qs, fields, limit, mincount) if fields else (qs.count(), {})
        return count, facets, []
    halves = _in_halves(qs, fields, order, start, rows)
    count, raw, page = halves or _split_rows(_facet_rows(qs, fields, order, (rows, start)), fields)
    return count, _ranked(raw, limit, mincount), page


# Concurrent halves (PostgreSQL, ADR 0074). For a relevance-ranked free-text search (sort by score: the searches
# that match a large share of the catalogue) the statement of ADR 0072 runs twice at once, on the request's
# connection and on a worker thread's own connection, each over half of the matching rows (by a hash of the id,
# evaluated before the wide row is deformed); counts and facet counts are summed, the two pages (each the first
# start + rows rows of its half, with their sort keys) are merged in Python. Both statements read one snapshot:
# the request's REPEATABLE READ transaction exports it, the worker imports it.
# Sort keys that Python compares exactly as PostgreSQL does: the float4 rank, timestamps, the id as its
# canonical text (fixed-width lower-case hex: text order is byte order). Text keys (name, title) follow the
# database's collation and keep the single statement.
_KEY_TYPES = {"score": float, "metadata_modified": datetime.fromisoformat,
              "metadata_created": datetime.fromisoformat, "id": str}
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


class _Worker:
    """One thread per process (created after a fork) with its own database connection, and a slot: a request
    that finds the worker busy runs the single statement instead of waiting (no queue, bounded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._executor: ThreadPoolExecutor | None = None
        self._slot = threading.Lock()
        self.backend_pid: int | None = None  # the worker connection's server process (benchmarks read its CPU)

    def acquire(self) -> ThreadPoolExecutor | None:
        with self._lock:
            if self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="opendata-search")
                self._slot, self._pid, self.backend_pid = threading.Lock(), os.getpid(), None
        return self._executor if self._slot.acquire(blocking=False) else None

    def release(self) -> None:
        self._slot.release()

    def shutdown(self) -> None:
        """Close the worker's connection and stop its thread (tests, before the test database is dropped)."""
        with self._lock:
            executor, self._executor, self._pid = self._executor, None, 0
        if executor is not None:
            executor.submit(connections.close_all).result()
            executor.shutdown()


WORKER = _Worker()
_HALF = object()  # placeholder parameter: the statement is compiled once, then run with 0 and with 1


def _in_snapshot(snapshot: str, sql: str, params) -> list[tuple]:
    """Worker thread: the statement in a REPEATABLE READ transaction on the request's snapshot."""
    connection.close_if_unusable_or_obsolete()  # CONN_MAX_AGE and broken connections, as after a request
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # checked against _SNAPSHOT_ID
        cur.execute(f"SELECT pg_backend_pid(), {_LOCAL_SETTINGS}")  # noqa: S608 (constant)
        WORKER.backend_pid = cur.fetchone()[0]
        cur.execute(sql, params)
        return cur.fetchall()


def _in_halves(qs: QuerySet[Dataset], fields: list[str], order: list[tuple[str, bool]], start: int, rows: int,
               ) -> tuple[int, dict[str, dict[str, int]], list] | None:
    """_split_rows of the one statement, computed as two concurrent halves; None where that does not apply
    (setting off, SQLite, connections not kept (CONN_MAX_AGE 0: the worker would connect for every search), not
    ranked by score, inside a transaction, text sort keys, worker busy)."""
    order = _unique_keys(order)
    if (not settings.OPENDATA_SEARCH_HALVES or not _is_pg() or not connection.settings_dict["CONN_MAX_AGE"]
            or order[0][0] != "score" or connection.in_atomic_block
            or any(name not in _KEY_TYPES for name, _desc in order)):
        return None
    executor = WORKER.acquire()
    if executor is None:
        return None
    theirs = None
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur.execute(f"SELECT pg_export_snapshot(), {_LOCAL_SETTINGS}")  # noqa: S608 (constant)
            snapshot = cur.fetchone()[0]
            if not _SNAPSHOT_ID.match(snapshot):
                raise DatabaseError(f"unexpected snapshot id {snapshot!r}")
            half = RawSQL('(uuid_hash("opendata_dataset"."id") & 1) = %s', (_HALF,), output_field=BooleanField())
            sql, params = _coded_sql(qs.filter(half), fields, order, with_keys=True)
            params = [(*(value if p is _HALF else p for p in params), start + rows, 0) for value in (0, 1)]
            theirs = executor.submit(_in_snapshot, snapshot, sql, params[1])
            cur.execute(sql, params[0])
            results = [cur.fetchall()]
            try:
                results.append(theirs.result())
            except DatabaseError:  # e.g. the worker's connection was closed by the server: one statement here
                return _split_rows(_facet_rows(qs, fields, order, (rows, start)), fields)
            if any(n != 0 for result in results for index, _v, n in result if index == -3):
                return _split_rows(_facet_rows(qs, fields, order, (rows, start)), fields)  # JSON fallback
    finally:
        if theirs is not None:
            futures.wait([theirs])  # the worker is free again before the slot is
        WORKER.release()
    return _merged(results, fields, order, start, rows)


def _merged(results: list[list[tuple]], fields: list[str], order: list[tuple[str, bool]], start: int, rows: int,
            ) -> tuple[int, dict[str, dict[str, int]], list]:
    """Counts and facet counts summed; the page: both halves' candidates sorted by the keys (stable sorts from
    the last key to the first), then [start, start + rows)."""
    count = 0
    raw: dict[str, Counter] = {name: Counter() for name in fields}
    candidates = []
    parsers = [_KEY_TYPES[name] for name, _desc in order]
    for result in results:
        for index, value, n in result:
            if index == -1:
                count += n
            elif index == -2:
                candidates.append([parse(v) for parse, v in zip(parsers, json.loads(value), strict=True)])
            elif index >= 0 and value is not None and value != "":
                raw[fields[index]][str(value)] += n
    for j in range(len(order) - 1, -1, -1):
        candidates.sort(key=lambda keys: keys[j], reverse=order[j][1])
    id_at = [name for name, _desc in order].index("id")
    page = [uuid.UUID(keys[id_at]) for keys in candidates[start:start + rows]]
    return count, {name: dict(counts) for name, counts in raw.items()}, page


# Lookups that depend only on a dataset's organisation, state and visibility: FacetCount has the same fields.
_BUCKET_LOOKUPS = {"state", "state__in", "private", "organization_id", "organization_id__in", "organization__name"}


def _by_bucket(where: Q) -> bool:
    """Whether the filter can be evaluated on FacetCount rows instead of datasets."""
    return all(_by_bucket(child) if isinstance(child, Q) else isinstance(child, tuple) and child[0] in _BUCKET_LOOKUPS
               for child in where.children)


def bucket_counts(where: Q, fields: list[str], limit: int, mincount: int,
                  ) -> tuple[int, dict[str, list[tuple[str, str, int]]]]:
    """count_and_facets for a filter on organisation/state/visibility only: sums of the FacetCount rows
    of the matching (organisation, state, private) buckets. Every dataset has one "organization" row."""
    rows = (FacetCount.objects.filter(where).filter(field__in={"organization", *fields})
            .values_list("field", "value").annotate(total=Sum("n")).order_by())
    raw: dict[str, dict[str, int]] = {name: {} for name in {"organization", *fields}}
    for name, value, n in rows:
        raw[name][value] = n
    count = sum(raw["organization"].values())
    return count, _ranked({name: raw[name] for name in fields}, limit, mincount)


def _ranked(raw: dict[str, dict[str, int]], limit: int, mincount: int) -> dict[str, list[tuple[str, str, int]]]:
    """Per facet (value as CKAN names it, label, count): count desc, then that value; at most ``limit`` (< 0: all).

    Two stable sorts that compare tuples in C (by value, which is unique, then by count desc) instead of a key
    function per value; only the values shown are labelled, except organisations: they are ordered by their
    name, which the label gives."""
    def top(items: list[tuple]) -> list[tuple]:
        ranked = sorted(sorted(items), key=itemgetter(-1), reverse=True)
        return ranked if limit < 0 else ranked[:limit]

    shown = {name: dict(kept if name == "organization" else top(kept))
             for name, kept in ((name, [(v, n) for v, n in counts.items() if n >= mincount])
                                for name, counts in raw.items())}
    labels = _facet_labels(shown)
    return {name: top([(*labels[name][v], n) for v, n in counts.items()]) for name, counts in shown.items()}


# The FacetCount rows of one organisation in one statement (ADR 0093): its datasets' facet columns are read once
# (the CTE ``m``, from the ORM so the id is prepared as each database stores it) and every (state, private, field,
# value) is counted by one GROUP BY, exactly as the former loop in Python did: one "organization" row per dataset
# (the id as text, a parameter), the licence unless empty, each element of the JSON arrays (as _GROUP_SQL expands
# them). The INSERT fires the trigger of migration 0007 that adds new pairs to the facet-code dictionary.
_EXPAND_SQL = {
    "postgresql": "SELECT m.o, m.s, m.p, '{f}', jsonb_array_elements_text(m.{c}) FROM m",
    "sqlite": "SELECT m.o, m.s, m.p, '{f}', e.value FROM m, json_each(m.{c}) e",
}
_REFRESH_SQL = (
    "WITH m(o, s, p, l, t, g, f) AS ({inner}) "
    "INSERT INTO opendata_facetcount (organization_id, state, private, field, value, n) "
    "SELECT o, s, p, k, v, COUNT(*) FROM ("
    "SELECT m.o, m.s, m.p, 'organization' k, %s v FROM m "
    "UNION ALL SELECT m.o, m.s, m.p, 'license_id', m.l FROM m WHERE m.l <> '' "
    "UNION ALL {tags} UNION ALL {groups} UNION ALL {formats}) x GROUP BY o, s, p, k, v"
)


def refresh_facet_counts(organization_ids) -> None:
    """Rebuild the FacetCount rows of these organisations from their datasets' facet columns.

    Runs in the transaction of the change (services.reindex). The organisation rows are locked first, so
    concurrent changes in one organisation rebuild one after the other and the last rebuild sees them all."""
    ids = sorted({uuid.UUID(str(org)) for org in organization_ids})
    expand = _EXPAND_SQL[connection.vendor]
    lists = {name: expand.format(f=f, c=c) for name, f, c in
             (("tags", "tags", "t"), ("groups", "groups", "g"), ("formats", "res_format", "f"))}
    with transaction.atomic(), connection.cursor() as cur:
        list(Organization.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        FacetCount.objects.filter(organization_id__in=ids).delete()
        jit = None
        if _is_pg():  # the planner's 100 rows per array would JIT-compile the statement (see _LOCAL_SETTINGS)
            cur.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
            jit = cur.fetchone()[0]
        for org in ids:
            inner, params = (Dataset.objects.filter(organization_id=org).order_by()
                             .values_list("organization_id", "state", "private", "license_id", "facet_tags",
                                          "facet_groups", "facet_formats").query.sql_with_params())
            cur.execute(_REFRESH_SQL.format(inner=inner, **lists), (*params, str(org)))
        if jit is not None:
            cur.execute("SELECT set_config('jit', %s, true)", [jit])


def _facet_labels(raw: dict[str, dict[str, int]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Per facet, stored value → (facet value as CKAN names it, display label)."""
    orgs, groups = _names_and_titles(list(raw.get("organization", ())), list(raw.get("groups", ())))
    labels = {}
    for name, counts in raw.items():
        if name == "organization":
            labels[name] = {v: orgs[v] for v in counts}
        elif name == "groups":
            labels[name] = {v: (v, groups[v][1] if v in groups else v) for v in counts}
        elif name == "license_id":
            labels[name] = {v: (v, vocab.LICENSES[v].title if v in vocab.LICENSES else v) for v in counts}
        else:
            labels[name] = {v: (v, v) for v in counts}
    return labels


def _names_and_titles(org_ids: list[str], group_names: list[str],
                      ) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(name, title) of these organisations (ids as the facet statements return them) and groups (names)."""
    if not org_ids and not group_names:
        return {}, {}
    if not _is_pg():
        orgs = Organization.objects.filter(pk__in=[uuid.UUID(v) for v in org_ids]).values_list("pk", "name", "title")
        by_pk = {pk: (name, title) for pk, name, title in orgs}
        groups = Group.objects.filter(name__in=group_names).values_list("name", "title")
        return {v: by_pk[uuid.UUID(v)] for v in org_ids}, {name: (name, title) for name, title in groups}
    # One plain statement per search: the ORM's compilation of two queries costs more than running them.
    with connection.cursor() as cur:
        cur.execute(f"SELECT 0, id::text, name, title FROM {Organization._meta.db_table} "  # noqa: S608 (table names)
                    f"WHERE id = ANY(%s::uuid[]) UNION ALL "
                    f"SELECT 1, name, name, title FROM {Group._meta.db_table} WHERE name = ANY(%s::text[])",
                    [org_ids, group_names])
        found: tuple[dict, dict] = ({}, {})
        for kind, key, name, title in cur.fetchall():
            found[kind][key] = (name, title)
    return found


def modified_since(value: str) -> datetime:
    try:
        return query.parse_datetime(value)
    except query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc))
