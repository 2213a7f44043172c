"""PostgreSQL: postings and facet counts per lexeme of the public catalogue (ADR 0091).

- ``opendata_searchterm``: one row per lexeme of each public active dataset's ``search_vector``, with the rank
  ``ts_rank`` gives the dataset for a query of that lexeme alone, its ``metadata_modified`` and its id. Its index
  is in the order of package_search's default sort, so the page of a one-word search is the start of one index
  range.
- ``opendata_searchfacet``: per lexeme and facet code (``facet_codes``, migration 0005; NULL = the number of
  datasets), how many public active datasets have both. A change adds delta rows (``delta``); the sum over a
  lexeme's rows is always exact, and ``search.compact_search_facets`` (beat) folds the deltas into one row per
  pair. Writers only insert, so concurrent changes never wait for each other.

Triggers on ``opendata_dataset`` keep both in the transaction of every insert, delete and update: the postings of
a dataset are rewritten when its vector, codes, state, visibility or ``metadata_modified`` change, the facet
counts get the difference between its old and new (lexeme, code) pairs; TRUNCATE empties both. So every write
path – services, bulk updates, raw SQL – keeps them exact, and every snapshot sees them agree with the datasets.
Lexemes longer than 100 characters are left out (B-tree entries must stay small; package_search looks up words
of at most 40 characters, whose lexeme is at most twice as long).
SQLite (the demo) gets nothing: it searches the datasets.
"""

import importlib

from django.db import migrations

# opendata_search_lexemes: the rank of one lexeme is computed for the lexeme quoted as tsquery input (backslash
# and quote escaped) – the query plainto_tsquery builds for a one-word search, so both ranks are the same float4.
FUNCTIONS_SQL = [
    r"""
CREATE OR REPLACE FUNCTION opendata_search_words(vector tsvector)
RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT l FROM unnest(tsvector_to_array(vector)) l WHERE char_length(l) <= 100
$$
""",
    r"""
CREATE OR REPLACE FUNCTION opendata_search_lexemes(vector tsvector)
RETURNS TABLE (lexeme text, rank real) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT l, ts_rank(vector, ('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''')::tsquery)
  FROM opendata_search_words(vector) l
$$
""",
    """
CREATE OR REPLACE FUNCTION opendata_search_pairs(vector tsvector, codes integer[])
RETURNS TABLE (lexeme text, code integer) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT l, c FROM opendata_search_words(vector) l, unnest(codes || NULL::integer) c
$$
""",
    """
CREATE OR REPLACE FUNCTION opendata_searchterm_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_public boolean := TG_OP <> 'INSERT' AND OLD.state = 'active' AND NOT OLD.private;
  is_public boolean := TG_OP <> 'DELETE' AND NEW.state = 'active' AND NOT NEW.private;
  pairs_changed boolean := TG_OP <> 'UPDATE' OR was_public <> is_public
    OR NEW.search_vector IS DISTINCT FROM OLD.search_vector OR NEW.facet_codes IS DISTINCT FROM OLD.facet_codes;
BEGIN
  IF NOT pairs_changed AND (NOT is_public OR NEW.metadata_modified = OLD.metadata_modified) THEN
    RETURN NULL;
  END IF;
  IF was_public THEN
    DELETE FROM opendata_searchterm WHERE dataset_id = OLD.id;
  END IF;
  IF is_public THEN
    INSERT INTO opendata_searchterm (lexeme, rank, modified, dataset_id)
    SELECT t.lexeme, t.rank, NEW.metadata_modified, NEW.id FROM opendata_search_lexemes(NEW.search_vector) t;
  END IF;
  IF pairs_changed THEN
    INSERT INTO opendata_searchfacet (lexeme, code, n, delta)
    SELECT p.lexeme, p.code, SUM(p.n), true FROM (
      SELECT o.lexeme, o.code, -1 n FROM opendata_search_pairs(OLD.search_vector, OLD.facet_codes) o WHERE was_public
      UNION ALL
      SELECT w.lexeme, w.code, 1 FROM opendata_search_pairs(NEW.search_vector, NEW.facet_codes) w WHERE is_public) p
    GROUP BY p.lexeme, p.code HAVING SUM(p.n) <> 0;
  END IF;
  RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION opendata_searchterm_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE opendata_searchterm, opendata_searchfacet;
  RETURN NULL;
END
$$
""",
]
# Rebuilds both tables from the datasets: this migration, and bulk loads that switch the row trigger off
# (bench/opendata/generate.py). Sorted, so each lexeme's rows also lie together in the tables.
PG_REBUILD = [
    "TRUNCATE opendata_searchterm, opendata_searchfacet",
    """
INSERT INTO opendata_searchterm (lexeme, rank, modified, dataset_id)
SELECT t.lexeme, t.rank, d.metadata_modified, d.id
FROM opendata_dataset d, opendata_search_lexemes(d.search_vector) t
WHERE d.state = 'active' AND NOT d.private
ORDER BY t.lexeme, t.rank DESC, d.metadata_modified DESC, d.id
""",
    """
INSERT INTO opendata_searchfacet (lexeme, code, n, delta)
SELECT p.lexeme, p.code, COUNT(*), false
FROM opendata_dataset d, opendata_search_pairs(d.search_vector, d.facet_codes) p
WHERE d.state = 'active' AND NOT d.private
GROUP BY p.lexeme, p.code ORDER BY p.lexeme, p.code
""",
]

# Written with every catalogue change: vacuumed early, so index-only scans rarely visit the tables.
_OFTEN_VACUUMED = ("WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02, "
                   "autovacuum_analyze_scale_factor = 0.02)")
PG_FORWARD = [
    "CREATE TABLE IF NOT EXISTS opendata_searchterm (lexeme text NOT NULL, rank real NOT NULL, "
    f"modified timestamptz NOT NULL, dataset_id uuid NOT NULL) {_OFTEN_VACUUMED}",
    "CREATE INDEX IF NOT EXISTS opendata_searchterm_ranked ON opendata_searchterm "
    "(lexeme, rank DESC, modified DESC, dataset_id)",
    "CREATE INDEX IF NOT EXISTS opendata_searchterm_dataset ON opendata_searchterm (dataset_id)",
    "CREATE TABLE IF NOT EXISTS opendata_searchfacet (lexeme text NOT NULL, code integer, n integer NOT NULL, "
    f"delta boolean NOT NULL) {_OFTEN_VACUUMED}",
    "CREATE INDEX IF NOT EXISTS opendata_searchfacet_lexeme ON opendata_searchfacet (lexeme, code) INCLUDE (n)",
    "CREATE INDEX IF NOT EXISTS opendata_searchfacet_delta ON opendata_searchfacet (lexeme) WHERE delta",
    *FUNCTIONS_SQL,
    "CREATE TRIGGER opendata_searchterm_sync AFTER INSERT OR UPDATE OR DELETE ON opendata_dataset "
    "FOR EACH ROW EXECUTE FUNCTION opendata_searchterm_sync()",
    "CREATE TRIGGER opendata_searchterm_truncate AFTER TRUNCATE ON opendata_dataset "
    "FOR EACH STATEMENT EXECUTE FUNCTION opendata_searchterm_truncate()",
    *PG_REBUILD,
    "ANALYZE opendata_searchterm, opendata_searchfacet",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS opendata_searchterm_sync ON opendata_dataset",
    "DROP TRIGGER IF EXISTS opendata_searchterm_truncate ON opendata_dataset",
    "DROP FUNCTION IF EXISTS opendata_searchterm_sync()",
    "DROP FUNCTION IF EXISTS opendata_searchterm_truncate()",
    "DROP FUNCTION IF EXISTS opendata_search_pairs(tsvector, integer[])",
    "DROP FUNCTION IF EXISTS opendata_search_lexemes(tsvector)",
    "DROP FUNCTION IF EXISTS opendata_search_words(tsvector)",
    "DROP TABLE IF EXISTS opendata_searchterm",
    "DROP TABLE IF EXISTS opendata_searchfacet",
]

on_postgresql = importlib.import_module("smartcity.opendata.migrations.0004_search_indexes").on_postgresql


class Migration(migrations.Migration):
    dependencies = [("opendata", "0005_dataset_facet_codes")]

    operations = [migrations.RunPython(on_postgresql(*PG_FORWARD), on_postgresql(*PG_BACKWARD))]
