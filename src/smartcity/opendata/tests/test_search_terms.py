"""One-word searches from postings and facet rows (PostgreSQL, migration 0006, ADR 0091).

- Postings and the sums of the facet rows are what a rebuild from the datasets gives, after every kind of
  write: create, update through the services, state and visibility changes, a bulk update of
  ``metadata_modified`` only, an unrelated update, delete, TRUNCATE; compaction keeps the sums.
- A one-word search answered from them equals the statement over the datasets (setting off) in count, page
  and every facet count, for words, offsets and page sizes, with and without uncompacted deltas; where they
  cannot answer exactly (not one lexeme, an undecodable code, another scope, fq, another order) the statement
  over the datasets runs.
"""

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from smartcity.opendata import permissions, search, services
from smartcity.opendata.models import Dataset

from .conftest import forget_facet_code

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FIELDS = ["organization", "groups", "tags", "res_format", "license_id"]
WORDS = ["parken", "Parkplätze", "Parkplatz", "daten", "Straße", "bäume", "umwelt", "Verkehr", "gibtsnicht"]


@pytest.fixture(autouse=True)
def no_facet_cache():
    with override_settings(OPENDATA_FACET_CACHE_SECONDS=0):
        yield


def fetch(sql: str) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def stored() -> tuple[list, list]:
    """Postings, and the facet rows summed per (lexeme, code)."""
    return (fetch("SELECT lexeme, rank, modified, dataset_id FROM opendata_searchterm ORDER BY 1, 4"),
            fetch("SELECT lexeme, code, SUM(n) FROM opendata_searchfacet GROUP BY 1, 2 HAVING SUM(n) <> 0 "
                  "ORDER BY 1, 2"))


def rebuilt() -> tuple[list, list]:
    """Both as migration 0006 builds them from the datasets."""
    public = "WHERE d.state = 'active' AND NOT d.private"
    return (fetch("SELECT t.lexeme, t.rank, d.metadata_modified, d.id FROM opendata_dataset d, "
                  f"opendata_search_lexemes(d.search_vector) t {public} ORDER BY 1, 4"),
            fetch("SELECT p.lexeme, p.code, COUNT(*) FROM opendata_dataset d, "
                  f"opendata_search_pairs(d.search_vector, d.facet_codes) p {public} GROUP BY 1, 2 ORDER BY 1, 2"))


def deltas() -> int:
    return fetch("SELECT COUNT(*) FROM opendata_searchfacet WHERE delta")[0][0]


def over_datasets(scope, **params) -> search.SearchResult:
    with override_settings(OPENDATA_SEARCH_TERMS=False):
        return search.search(scope, **params)


def answered_by_postings(monkeypatch) -> list:
    calls: list = []
    original = search._from_terms
    monkeypatch.setattr(search, "_from_terms", lambda *a: calls.append(r := original(*a)) or r)
    return calls


def test_postings_and_facet_rows_follow_every_write(search_catalogue, editor):
    datasets = search_catalogue
    public = [d for d in datasets if Dataset.objects.get(pk=d.pk).is_public]
    assert stored() == rebuilt() and len({row[3] for row in stored()[0]}) == len(public)
    assert {row[0] for row in stored()[1] if row[1] is None} == {row[0] for row in stored()[0]}
    changes = [
        lambda: services.update_dataset("system:test", datasets[1], {"title": "Lärmkarte Straße"}, partial=True),
        lambda: services.update_dataset("system:test", datasets[2], {"tags": [{"name": "Neu"}]}, partial=True),
        lambda: services.set_state("system:test", datasets[3], Dataset.State.DRAFT),
        lambda: services.set_state("system:test", datasets[8], Dataset.State.ACTIVE),  # a draft published
        lambda: services.update_dataset("system:test", datasets[5], {"private": True}, partial=True),
        lambda: services.update_dataset("system:test", datasets[7], {"private": False}, partial=True),
        lambda: Dataset.objects.filter(pk=datasets[6].pk).update(metadata_modified=timezone.now()),
        lambda: Dataset.objects.filter(pk=datasets[11].pk).update(quality_score=1),  # nothing of the postings
        lambda: Dataset.objects.filter(pk=datasets[4].pk).delete(),
    ]
    for number, change in enumerate(changes):
        change()
        assert stored() == rebuilt(), number
        if number == 4:
            assert deltas() and search.compact_search_facets()[1] > 0 and not deltas()
            assert stored() == rebuilt()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred foreign-key checks
        cur.execute("TRUNCATE opendata_dataset CASCADE")
    assert stored() == ([], [])


def test_updates_that_leave_the_pairs_write_no_facet_rows(search_catalogue):
    search.compact_search_facets()
    Dataset.objects.filter(pk=search_catalogue[1].pk).update(metadata_modified=timezone.now())
    services.update_dataset("system:test", search_catalogue[2], {"version": "2.0"}, partial=True)
    assert not deltas() and stored() == rebuilt()


@pytest.mark.parametrize("compacted", [False, True])
def test_a_one_word_search_equals_the_statement_over_the_datasets(search_catalogue, monkeypatch, compacted):
    calls = answered_by_postings(monkeypatch)
    scope = permissions.visible_scope(None)
    services.update_dataset("system:test", search_catalogue[1], {"title": "Lärmkarte Straße"}, partial=True)
    services.set_state("system:test", search_catalogue[2], Dataset.State.DRAFT)
    if compacted:
        search.compact_search_facets()
    assert bool(deltas()) != compacted
    for word in WORDS:
        total = over_datasets(scope, q=word, rows=0).count
        for start, rows in [(0, 5), (3, 4), (0, 1000), (max(total - 1, 0), 5), (total, 5), (0, 0)]:
            for fields in (FIELDS, [], ["tags"]):
                params = {"q": word, "start": start, "rows": rows, "facet_fields": fields, "facet_limit": -1}
                want = over_datasets(scope, **params)
                got = search.search(scope, **params)
                assert (got.count, got.ids, got.facets) == (want.count, want.ids, want.facets), (word, start, rows)
    assert calls and all(result is not None for result in calls)
    assert over_datasets(scope, q="parken", rows=0).count > 10  # the words do match


def test_the_statement_over_the_datasets_where_the_postings_cannot_answer(search_catalogue, editor, monkeypatch):
    calls = answered_by_postings(monkeypatch)
    public = permissions.visible_scope(None)
    own = permissions.visible_scope(editor, include_private=True, include_drafts=True)
    cases = [
        (public, {"q": "und"}),  # a stop word: no lexeme (row -4)
        (public, {"q": "parken-verkehr"}),  # more than one token
        (public, {"q": '"parken"'}), (public, {"q": "park*"}), (public, {"q": "title:parken"}),
        (public, {"q": "parken", "fq_list": ["tags:Parken"]}),
        (public, {"q": "parken", "sort": "metadata_modified desc"}),
        (public, {"q": "parken", "sort": "score desc, metadata_modified asc"}),
        (public, {"q": "parken", "sort": "title asc"}),
        (own, {"q": "parken"}),
    ]
    for scope, params in cases:
        want = over_datasets(scope, facet_fields=FIELDS, facet_limit=-1, **params)
        got = search.search(scope, facet_fields=FIELDS, facet_limit=-1, **params)
        assert (got.count, got.ids, got.facets) == (want.count, want.ids, want.facets), params
    assert calls == [None]  # only the stop word reached the postings (row -4)
    assert search.search(public, q="parken", fq_list=["", "*:*"], rows=3).ids == over_datasets(
        public, q="parken", rows=3).ids and len(calls) == 2 and calls[1] is not None


def test_the_rank_of_a_lexeme_with_quote_and_backslash(db):
    """Such lexemes are quoted as tsquery input: their rank is that of any other lexeme at the same place."""
    with connection.cursor() as cur:
        cur.execute(r"""SELECT lexeme, rank FROM opendata_search_lexemes(
                        setweight(array_to_tsvector(ARRAY['it''s', 'a\b', 'plain', 'x:y']), 'A'))""")
        ranks = dict(cur.fetchall())
        cur.execute("SELECT ts_rank(setweight(array_to_tsvector(ARRAY['plain']), 'A'), 'plain'::tsquery)")
        plain = cur.fetchone()[0]
    assert set(ranks) == {"it's", "a\\b", "plain", "x:y"} and set(ranks.values()) == {plain} and plain > 0


def test_a_search_through_the_api_uses_the_postings(search_catalogue, client, monkeypatch):
    calls = answered_by_postings(monkeypatch)
    response = client.get("/api/3/action/package_search", {"q": "Parken", "facet.field": '["tags"]', "rows": 3})
    result = response.json()["result"]
    want = over_datasets(permissions.visible_scope(None), q="Parken", rows=3)
    assert response.status_code == 200 and calls and calls[0] is not None
    assert result["count"] == want.count and [d["id"] for d in result["results"]] == [str(i) for i in want.ids]


def test_an_undecodable_code_falls_back(search_catalogue, monkeypatch):
    """A facet value no FacetCount row knows (row −3): the statement over the datasets, exact via the JSON columns."""
    calls = answered_by_postings(monkeypatch)
    scope = permissions.visible_scope(None)
    want = over_datasets(scope, q="parken", facet_fields=FIELDS, facet_limit=-1)
    forget_facet_code("tags", "Parken")
    got = search.search(scope, q="parken", facet_fields=FIELDS, facet_limit=-1)
    assert calls == [None] and (got.count, got.ids, got.facets) == (want.count, want.ids, want.facets)
    assert dict((v, n) for v, _l, n in got.facets["tags"])["Parken"] > 0


def test_a_hash_collision_in_the_dictionary_falls_back(search_catalogue, monkeypatch):
    calls = answered_by_postings(monkeypatch)
    scope = permissions.visible_scope(None)
    want = over_datasets(scope, q="parken", facet_fields=FIELDS, facet_limit=-1)
    with connection.cursor() as cur:  # another pair with the code of tags:Parken
        cur.execute("INSERT INTO opendata_facetcode (field, value, code) VALUES ('tags', 'x', hashtext('tags:Parken'))")
    got = search.search(scope, q="parken", facet_fields=FIELDS, facet_limit=-1)
    assert calls == [None] and (got.count, got.ids, got.facets) == (want.count, want.ids, want.facets)


def test_the_dictionary_follows_the_facet_counts(search_catalogue):
    def pairs() -> set:
        return set(fetch("SELECT field, value, code FROM opendata_facetcode"))

    services.update_dataset("system:test", search_catalogue[1], {"tags": [{"name": "Neuer Wert"}]}, partial=True)
    assert ("tags", "Neuer Wert", fetch("SELECT hashtext('tags:Neuer Wert')")[0][0]) in pairs()
    assert {(f, v) for f, v, _c in pairs()} >= set(search.FacetCount.objects.values_list("field", "value"))
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("TRUNCATE opendata_facetcount")
    assert pairs() == set()


@pytest.mark.django_db(transaction=True)
def test_compaction_keeps_deltas_a_concurrent_change_commits_later(search_catalogue):
    """The change's deltas are not in the compaction's snapshot: they stay, and the sums stay exact."""
    import psycopg

    other = psycopg.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cur:  # a transaction still open while the compaction runs
            cur.execute("UPDATE opendata_dataset SET facet_tags = '[\"Neu\"]'::jsonb WHERE id = %s",
                        [search_catalogue[1].pk])
        removed, written = search.compact_search_facets()
        assert removed > written > 0 and not deltas()
        other.commit()
    finally:
        other.close()
    assert deltas() and stored() == rebuilt()
    search.compact_search_facets()
    assert not deltas() and stored() == rebuilt()
