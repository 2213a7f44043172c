"""PostgreSQL: every facet value of a dataset as one integer array (ADR 0072).

``facet_codes`` is a stored generated column: ``hashtext('<field>:<value>')`` of the organisation, the licence
and every tag, group and format of the dataset, computed by PostgreSQL from the facet columns of migration
0003 whenever they change (no application code writes it, the Django model does not know it). package_search
counts all facets with one ``unnest`` and one integer hash aggregate instead of expanding three JSON arrays,
and decodes the codes with the (field, value) pairs of ``FacetCount``; a hash collision or a code without a
pair makes it fall back to the JSON statement, so the counts stay exact.
SQLite (the demo) gets nothing: it counts from the JSON columns.
"""

import importlib

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION opendata_facet_codes(org uuid, license text, tags jsonb, groups jsonb, formats jsonb)
    RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT ARRAY(
        SELECT hashtext('organization:' || org::text)
        UNION ALL SELECT hashtext('license_id:' || license) WHERE license <> ''
        UNION ALL SELECT hashtext('tags:' || v) FROM jsonb_array_elements_text(tags) v
        UNION ALL SELECT hashtext('groups:' || v) FROM jsonb_array_elements_text(groups) v
        UNION ALL SELECT hashtext('res_format:' || v) FROM jsonb_array_elements_text(formats) v)
    $$
    """,
    """
    ALTER TABLE opendata_dataset ADD COLUMN IF NOT EXISTS facet_codes integer[]
      GENERATED ALWAYS AS (opendata_facet_codes(organization_id, license_id, facet_tags, facet_groups, facet_formats))
      STORED
    """,
    "ANALYZE opendata_dataset",
]
PG_BACKWARD = [
    "ALTER TABLE opendata_dataset DROP COLUMN IF EXISTS facet_codes",
    "DROP FUNCTION IF EXISTS opendata_facet_codes(uuid, text, jsonb, jsonb, jsonb)",
]


on_postgresql = importlib.import_module("smartcity.opendata.migrations.0004_search_indexes").on_postgresql


class Migration(migrations.Migration):
    dependencies = [("opendata", "0004_search_indexes")]

    operations = [migrations.RunPython(on_postgresql(*PG_FORWARD), on_postgresql(*PG_BACKWARD))]
