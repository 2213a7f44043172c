"""PostgreSQL: the dictionary that decodes facet codes (ADR 0091, amending ADR 0072).

package_search counts facet codes (``hashtext('<field>:<value>')``, migration 0005) and decoded them with the
distinct (field, value) pairs of ``opendata_facetcount`` – a DISTINCT over every organisation's rows on each
search (≈ 3–4 ms for 6,500 rows). ``opendata_facetcode`` holds each pair once with its code, indexed by code:
a statement-level trigger adds the pairs of every insert into ``opendata_facetcount`` (refresh_facet_counts
inserts all values any dataset carries, in the transaction of the change), in one order, so concurrent inserts
of overlapping pairs cannot deadlock. Pairs are never removed (a value no dataset carries any more is one row);
TRUNCATE of the counts empties it. A counted code without exactly one entry (unknown, or a hash collision)
still makes the search fall back to the JSON statement.
SQLite (the demo) gets nothing: it counts from the JSON columns.
"""

import importlib

from django.db import migrations

PG_FORWARD = [
    "CREATE TABLE IF NOT EXISTS opendata_facetcode (field text NOT NULL, value text NOT NULL, code integer NOT NULL, "
    "PRIMARY KEY (field, value))",
    "CREATE INDEX IF NOT EXISTS opendata_facetcode_code ON opendata_facetcode (code) INCLUDE (field, value)",
    """
CREATE OR REPLACE FUNCTION opendata_facetcode_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO opendata_facetcode (field, value, code)
  SELECT DISTINCT n.field, n.value, hashtext(n.field || ':' || n.value) FROM new_rows n ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION opendata_facetcode_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE opendata_facetcode;
  RETURN NULL;
END
$$
""",
    "CREATE TRIGGER opendata_facetcode_add AFTER INSERT ON opendata_facetcount REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION opendata_facetcode_add()",
    "CREATE TRIGGER opendata_facetcode_truncate AFTER TRUNCATE ON opendata_facetcount "
    "FOR EACH STATEMENT EXECUTE FUNCTION opendata_facetcode_truncate()",
    "INSERT INTO opendata_facetcode (field, value, code) "
    "SELECT DISTINCT field, value, hashtext(field || ':' || value) FROM opendata_facetcount ORDER BY 1, 2 "
    "ON CONFLICT DO NOTHING",
    "ANALYZE opendata_facetcode",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS opendata_facetcode_add ON opendata_facetcount",
    "DROP TRIGGER IF EXISTS opendata_facetcode_truncate ON opendata_facetcount",
    "DROP FUNCTION IF EXISTS opendata_facetcode_add()",
    "DROP FUNCTION IF EXISTS opendata_facetcode_truncate()",
    "DROP TABLE IF EXISTS opendata_facetcode",
]

on_postgresql = importlib.import_module("smartcity.opendata.migrations.0004_search_indexes").on_postgresql


class Migration(migrations.Migration):
    dependencies = [("opendata", "0006_search_terms")]

    operations = [migrations.RunPython(on_postgresql(*PG_FORWARD), on_postgresql(*PG_BACKWARD))]
