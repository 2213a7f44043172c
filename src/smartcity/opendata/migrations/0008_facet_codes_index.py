"""PostgreSQL: ``tags:x``, ``groups:x`` and ``res_format:x`` filters served by one GIN index on ``facet_codes``
(ADR 0095, amending ADR 0072 decision 1).

A filter stays the containment test on its JSON facet column (the exact truth); search.py adds the implied
``facet_codes @> ARRAY[hashtext('<field>:<value>')]`` – a dataset whose column contains the value has its code,
as the generated column of migration 0005 computes it – so a hash collision can only add candidates that the
JSON test then rejects. Several such filters are one scan of this index (GIN intersects the codes' entries)
instead of one scan per JSON index and a BitmapAnd of their whole posting lists; the JSON indexes of migration
0004 would make the planner add those scans again, and nothing else uses them: they are dropped.
SQLite (the demo) filters with sub-selects on the relation tables and gets nothing.
"""

import importlib

from django.db import migrations

_JSON_INDEXES = importlib.import_module("smartcity.opendata.migrations.0004_search_indexes").PG_FORWARD[:3]
PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS opendata_dataset_facet_codes_gin ON opendata_dataset USING gin (facet_codes)",
    "DROP INDEX IF EXISTS opendata_dataset_facet_tags_gin",
    "DROP INDEX IF EXISTS opendata_dataset_facet_groups_gin",
    "DROP INDEX IF EXISTS opendata_dataset_facet_formats_gin",
    "ANALYZE opendata_dataset",
]
PG_BACKWARD = [*_JSON_INDEXES, "DROP INDEX IF EXISTS opendata_dataset_facet_codes_gin"]

on_postgresql = importlib.import_module("smartcity.opendata.migrations.0004_search_indexes").on_postgresql


class Migration(migrations.Migration):
    dependencies = [("opendata", "0007_facet_code_dictionary")]

    operations = [migrations.RunPython(on_postgresql(*PG_FORWARD), on_postgresql(*PG_BACKWARD))]
