"""package_search query paths of ADR 0072, on whichever database the suite runs.

- ``tags:``/``groups:``/``res_format:`` filters: on PostgreSQL containment in the facet columns, narrowed by the
  GIN-indexed facet codes (ADR 0095), on SQLite sub-selects on the relation tables. Both are checked against a
  count in Python over the related rows (not against the search code itself), including negations, OR, case
  variants of formats, empty and missing values, prefixes, ``field:*`` and colliding facet codes.
- Page + count + facets from one statement (PostgreSQL): the page equals the page of a plain ORDER BY ...
  LIMIT/OFFSET for every sort order, including ties, repeated sort fields, paging past the end and rows=0.
- The same statement as two concurrent halves (PostgreSQL, ADR 0074): equal to the single statement, on the
  request's snapshot, and the single statement wherever the halves do not apply.
"""


import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.test import override_settings

from smartcity.opendata import paging, permissions, search, services
from smartcity.opendata.models import Dataset

from .conftest import forget_facet_code, make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_facet_cache")]

FIELDS = ["organization", "groups", "tags", "res_format", "license_id"]


@pytest.fixture
def no_facet_cache():
    with override_settings(OPENDATA_FACET_CACHE_SECONDS=0):
        yield


def related(ds: Dataset) -> dict[str, set[str]]:
    return {"tags": {t.name for t in ds.tags.all()}, "groups": {g.name for g in ds.groups.all()},
            "res_format": {r.format for r in ds.resources.all() if r.state == "active"}}


def matching(scope, predicate) -> set:
    rows = Dataset.objects.filter(scope).prefetch_related("tags", "groups", "resources")
    return {ds.pk for ds in rows if predicate(related(ds))}


FILTERS = [
    ("tags:Parken", lambda r: "Parken" in r["tags"]),
    ('tags:"Bäume"', lambda r: "Bäume" in r["tags"]),
    ("tags:parken", lambda r: "parken" in r["tags"]),  # tags are case-sensitive (CKAN: string field)
    ("-tags:Parken", lambda r: "Parken" not in r["tags"]),
    ("tags:CSV", lambda r: "CSV" in r["tags"]),  # a tag named like a format is not a format
    ("groups:tran OR groups:envi", lambda r: bool({"tran", "envi"} & r["groups"])),
    ("-groups:tran", lambda r: "tran" not in r["groups"]),
    ("res_format:CSV", lambda r: "CSV" in r["res_format"]),
    ("res_format:csv", lambda r: "CSV" in r["res_format"]),  # formats compare case-insensitively
    ("res_format:GeoJson", lambda r: "GEOJSON" in r["res_format"]),
    ("res_format:JSON -res_format:PDF", lambda r: "JSON" in r["res_format"] and "PDF" not in r["res_format"]),
    ('res_format:""', lambda r: "" in r["res_format"]),
    ('res_format:" "', lambda r: False),
    ("res_format:*", lambda r: bool(r["res_format"])),
    ("res_format:CS*", lambda r: any(f.startswith("CS") for f in r["res_format"])),
    ("tags:*", lambda r: bool(r["tags"])),
    ("-tags:*", lambda r: not r["tags"]),
    ("tags:Verk*", lambda r: any(t.lower().startswith("verk") for t in r["tags"])),
    ("groups:nichtda", lambda r: False),
    ("tags:Parken AND res_format:PDF AND groups:tran", lambda r: "Parken" in r["tags"] and "PDF" in r["res_format"]
     and "tran" in r["groups"]),
    ('tags:"it\'s"', lambda r: False),
]


def test_relation_filters_match_the_related_rows(search_catalogue, editor):
    for include in (False, True):
        scope = permissions.visible_scope(editor, include_private=include, include_drafts=include)
        for fq, predicate in FILTERS:
            want = matching(scope, predicate)
            result = search.search(scope, fq_list=[fq], rows=1000, facet_fields=FIELDS, facet_limit=-1)
            assert set(result.ids) == want and result.count == len(want), (fq, include)
            assert set(search.filtered(scope, "", [fq]).values_list("pk", flat=True)) == want
    assert any(matching(scope, p) for _fq, p in FILTERS[:3]) and matching(scope, FILTERS[8][1])


def plain_page(scope, q: str, sort: str, start: int, rows: int) -> list:
    """The page the way it was read before ADR 0072: its own ORDER BY ... LIMIT/OFFSET query."""
    where, texts = search.compile_filters(q, [])
    qs = Dataset.objects.filter(scope & where)
    order = search.parse_sort(sort)
    if any(f == "score" for f, _ in order) and texts and search._is_pg():
        qs = qs.annotate(score=search.SearchRank(F("search_vector"),
                                                 search.SearchQuery(" ".join(texts), config="german")))
    ordering = [F(n).desc() if d else F(n).asc() for n, d in order if n != "score" or "score" in qs.query.annotations]
    return list(qs.order_by(*ordering, F("id").asc()).values_list("id", flat=True)[start:start + rows])


SORTS = ["", "score desc, metadata_modified desc", "title_string asc", "title desc", "metadata_modified desc",
         "metadata_modified asc, title asc", "id asc", "id desc", "id desc, id asc", "name asc, id desc",
         "metadata_created desc", "title asc, metadata_modified desc"]


def test_page_from_the_facet_statement_equals_a_plain_query(search_catalogue, editor):
    scope = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    for q in ["parken", "tags:Parken OR res_format:csv", "daten*", "*:*", "parken -groups:tran"]:
        total = Dataset.objects.filter(scope & search.compile_filters(q, [])[0]).count()
        assert total, q
        for sort in SORTS:
            for start, rows in [(0, 5), (3, 4), (0, 1000), (total - 1, 5), (total, 5), (paging.MAX_INT, 10)]:
                result = search.search(scope, q=q, sort=sort, start=start, rows=rows, facet_fields=FIELDS)
                assert result.ids == plain_page(scope, q, sort, start, rows), (q, sort, start, rows)
                assert result.count == total


def test_rows_zero_and_no_facets(search_catalogue):
    scope = permissions.visible_scope(None)
    total = Dataset.objects.filter(scope & search.compile_filters("parken", [])[0]).count()
    for fields in ([], FIELDS):
        result = search.search(scope, q="parken", rows=0, facet_fields=fields)
        assert result.ids == [] and result.count == total
        assert bool(result.facets) == bool(fields)
    result = search.search(scope, q="parken", rows=3, facet_fields=[])
    assert result.count == total and result.facets == {} and len(result.ids) == min(3, total)


def test_bad_input_is_a_search_error(orgs):
    make_dataset(orgs[0], "parken", tags=[{"name": "Parken"}])
    for bad in [{"sort": "title sideways"}, {"sort": "score desc; drop table x"}, {"q": "tags:(Parken"},
                {"fq_list": ["res_format:[a TO b]"]}, {"fq_list": ["groups:\x00"]}, {"fq_list": ["unbekannt:x"]},
                {"fq_list": ['tags:"a\\"b']}]:
        with pytest.raises(search.SearchQueryError):
            search.search(permissions.visible_scope(None), facet_fields=FIELDS, **bad)


def test_facet_values_with_spaces_and_json_characters(orgs):
    """Values travel as JSON parameters: spaces and dots in tags match literally; quotes, brackets and
    backslashes (not allowed in tags) match nothing and are no error."""
    tags = ["Grüne Fläche", "v1.2", "a-b"]
    ds = make_dataset(orgs[0], "sonderzeichen", tags=[{"name": t} for t in tags])
    make_dataset(orgs[0], "andere", tags=[{"name": "xy"}])
    scope = permissions.visible_scope(None)
    for tag in tags:
        result = search.search(scope, fq_list=[f'tags:"{tag}"'], facet_fields=["tags"], facet_limit=-1)
        assert result.ids == [ds.pk], tag
        assert {v for v, _l, _n in result.facets["tags"]} == set(tags)
    for odd in ["c]d", "e\\\\f", "g'h", '[\\"v1.2\\"]', "{}"]:
        result = search.search(scope, fq_list=[f'tags:"{odd}"', f'-groups:"{odd}"', f'-res_format:"{odd}"'],
                               facet_fields=["tags"])
        assert result.ids == [] and result.count == 0, odd


@pytest.mark.postgres  # facet_codes exist on PostgreSQL only
def test_facet_codes_count_like_the_json_columns_and_fall_back_when_undecodable(search_catalogue, editor, monkeypatch):
    """The generated facet_codes column (migration 0005) follows every change; counts from it equal the counts
    from the JSON columns; a code without a FacetCount pair makes the search fall back to the JSON statement."""
    scope = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    json_statements = []
    original = search._facet_sql
    monkeypatch.setattr(search, "_facet_sql", lambda *a, **k: json_statements.append(a) or original(*a, **k))
    for q, fq in [("parken", []), ("", ["tags:Parken"]), ("", ["-res_format:csv"]), ("*:*", ["groups:tran"])]:
        qs = Dataset.objects.filter(scope & search.compile_filters(q, fq)[0])
        coded = search.count_and_facets(qs, FIELDS, -1, 1)
        assert not json_statements, (q, fq)
        sql, params = original(qs, FIELDS)
        assert coded[0] == search._split_rows(search._run_facet_sql(sql, params), FIELDS)[0] == qs.count()
        raw = search._split_rows(search._run_facet_sql(sql, params), FIELDS)[1]
        assert coded[1] == search._ranked(raw, -1, 1), (q, fq)
    # A value the dictionary does not know (as after a bulk load without refresh_facet_counts): exact anyway.
    want = Dataset.objects.filter(scope & search.compile_filters("parken", [])[0], facet_tags__contains=["Parken"])
    forget_facet_code("tags", "Parken")
    result = search.search(scope, q="parken", facet_fields=FIELDS, facet_limit=-1)
    assert json_statements
    assert {v: n for v, _l, n in result.facets["tags"]}["Parken"] == want.count() > 0


@pytest.fixture
def halves(monkeypatch):
    """Counts how often the two halves were merged (i.e. the concurrent path ran to its end). One-word searches
    of the public search_catalogue would be answered from the postings (ADR 0091): here they run over the datasets."""
    merged = []
    original = search._merged
    monkeypatch.setattr(search, "_merged", lambda *a: merged.append(a) or original(*a))
    with override_settings(OPENDATA_SEARCH_TERMS=False):
        yield merged


def single_statement(scope, **params) -> search.SearchResult:
    with override_settings(OPENDATA_SEARCH_HALVES=False):
        return search.search(scope, facet_fields=FIELDS, facet_limit=-1, **params)


# Outside the test's transaction: the halves run only outside a transaction (REPEATABLE READ, exported snapshot).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_halves_equal_the_single_statement(search_catalogue, editor, halves):
    scope = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    sorts = ["", "score desc, metadata_modified desc", "score asc, id desc", "score desc, metadata_created asc",
             "score desc, id desc, id asc", "score desc, metadata_modified asc, score asc"]
    runs = 0
    for q in ["parken", "daten*", "parken -groups:tran", "parken OR tags:Umwelt", "gibtsnicht"]:
        total = Dataset.objects.filter(scope & search.compile_filters(q, [])[0]).count()
        for sort in sorts:
            for start, rows in [(0, 5), (3, 4), (0, 1000), (max(total - 1, 0), 5), (total, 5)]:
                want = single_statement(scope, q=q, sort=sort, start=start, rows=rows)
                got = search.search(scope, q=q, sort=sort, start=start, rows=rows, facet_fields=FIELDS,
                                    facet_limit=-1)
                runs += 1
                assert (got.count, got.ids, got.facets) == (want.count, want.ids, want.facets), (q, sort, start)
                assert got.ids == plain_page(scope, q, sort, start, rows) and got.count == total
    assert len(halves) == runs


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_the_snapshot_of_the_request(search_catalogue, editor, halves, monkeypatch):
    """A change committed after the request exported its snapshot (here: by the worker itself, just before it
    imports the snapshot) is in neither half: count, facets and page are those from before the change."""
    scope = permissions.visible_scope(None)
    before = single_statement(scope, q="parken", rows=1000)
    with connection.cursor() as cur:  # a matching dataset of the worker's half
        cur.execute("SELECT id FROM opendata_dataset WHERE uuid_hash(id) & 1 = 1 AND id = ANY(%s)", [before.ids])
        victim = cur.fetchone()[0]
    original = search._in_snapshot

    def change_first(*args):
        Dataset.objects.filter(pk=victim).update(state=Dataset.State.DELETED)  # autocommit: visible to new snapshots
        return original(*args)

    monkeypatch.setattr(search, "_in_snapshot", change_first)
    got = search.search(scope, q="parken", rows=1000, facet_fields=FIELDS, facet_limit=-1)
    assert halves and (got.count, got.ids, got.facets) == (before.count, before.ids, before.facets)
    after = single_statement(scope, q="parken", rows=1000)
    assert victim not in after.ids and after.count == before.count - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_single_statement_where_the_halves_do_not_apply(search_catalogue, editor, halves, monkeypatch):
    scope = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    # Not ranked by score (few matches, or no free text): one statement.
    for q, sort in [("parken", "metadata_modified desc"), ("tags:Parken", ""), ("parken", "id asc")]:
        want = single_statement(scope, q=q, sort=sort, rows=5)
        assert search.search(scope, q=q, sort=sort, rows=5, facet_fields=FIELDS, facet_limit=-1) == want
    # Text sort keys follow the database's collation: not merged in Python.
    want = single_statement(scope, q="parken", sort="score desc, title asc", rows=5)
    assert search.search(scope, q="parken", sort="score desc, title asc", rows=5, facet_fields=FIELDS,
                         facet_limit=-1) == want
    with transaction.atomic():  # inside a transaction: no snapshot of its own to export
        assert search.search(scope, q="parken", rows=5, facet_fields=FIELDS, facet_limit=-1) == single_statement(
            scope, q="parken", rows=5)
    with monkeypatch.context() as patch:  # connections not kept: the worker would connect for every search
        patch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
        assert search.search(scope, q="parken", rows=5, facet_fields=FIELDS, facet_limit=-1) == single_statement(
            scope, q="parken", rows=5)
    assert search.WORKER.acquire() is not None  # the worker is busy: no waiting, the single statement
    try:
        got = search.search(scope, q="parken", rows=5, facet_fields=FIELDS, facet_limit=-1)
    finally:
        search.WORKER.release()
    assert not halves and got == single_statement(scope, q="parken", rows=5)

    def broken(*args):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(search, "_in_snapshot", broken)  # the worker fails: the single statement, same result
    assert search.search(scope, q="parken", rows=5, facet_fields=FIELDS, facet_limit=-1) == got
    assert not halves


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_halves_fall_back_to_the_json_statement_when_a_code_is_undecodable(search_catalogue, halves):
    scope = permissions.visible_scope(None)
    want = single_statement(scope, q="parken", rows=5)
    forget_facet_code("tags", "Parken")
    assert search.search(scope, q="parken", rows=5, facet_fields=FIELDS, facet_limit=-1) == want
    assert not halves


def colliding_tags() -> tuple[str, str]:
    """Two tag names whose facet codes (hashtext of 'tags:<name>', migration 0005) are equal."""
    with connection.cursor() as cur:
        cur.execute("SELECT min(t), max(t) FROM (SELECT 'k' || i t FROM generate_series(1, 300000) i) s "
                    "GROUP BY hashtext('tags:' || t) HAVING COUNT(*) > 1 ORDER BY 1 LIMIT 1")
        return cur.fetchone()


@pytest.mark.postgres  # facet_codes and their index (migration 0008) exist on PostgreSQL only
def test_facet_filters_are_exact_when_facet_codes_collide(search_catalogue, editor):
    """The code test only narrows the candidates (ADR 0095): a dataset whose tag has the code of the tag asked
    for is not found by ``tags:x`` and is found by ``-tags:x``, also after writes."""
    x, y = colliding_tags()
    owner = search_catalogue[1].organization
    with_x = make_dataset(owner, "mit-x", tags=[{"name": x}], resources=[{"url": "https://example.org/x.json",
                                                                           "format": "JSON"}])
    with_y = make_dataset(owner, "mit-y", tags=[{"name": y}, {"name": "Parken"}], groups=[{"name": "tran"}])
    scope = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    filters = [(f"tags:{x}", lambda r: x in r["tags"]), (f"-tags:{x}", lambda r: x not in r["tags"]),
               (f"tags:{y} OR tags:{x}", lambda r: bool({x, y} & r["tags"])),
               (f"tags:{y} AND groups:tran", lambda r: y in r["tags"] and "tran" in r["groups"]),
               (f"tags:{x} res_format:json", lambda r: x in r["tags"] and "JSON" in r["res_format"])]
    for step in range(3):
        for fq, predicate in filters:
            want = matching(scope, predicate)
            result = search.search(scope, fq_list=[fq], rows=1000, facet_fields=FIELDS, facet_limit=-1)
            assert set(result.ids) == want and result.count == len(want), (fq, step)
            assert {v: n for v, _l, n in result.facets["tags"]}.get(x, 0) == len(want & matching(
                scope, lambda r: x in r["tags"])), (fq, step)
        if step == 0:  # the tags swap places
            services.update_dataset("system:test", with_x, {"tags": [{"name": y}]}, partial=True)
            services.update_dataset("system:test", with_y, {"tags": [{"name": x}]}, partial=True)
        elif step == 1:
            services.set_state("system:test", with_y, Dataset.State.DELETED)


@pytest.mark.postgres
def test_facet_filters_are_one_scan_of_the_codes_index(search_catalogue):
    where = search.compile_filters("", ["groups:tran", "res_format:JSON"])[0]
    sql, params = Dataset.objects.filter(where).values_list("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cur:
        # A catalogue this small would be read sequentially or by another index.
        cur.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert plan.count("opendata_dataset_facet_codes_gin") == 1 and "BitmapAnd" not in plan, plan
