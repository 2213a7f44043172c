"""PostgreSQL only: pg_trgm and the search indexes. SQLite uses the Python matcher and needs nothing."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalogue_service_fts ON catalogue_service "
    "USING gin (to_tsvector('german'::regconfig, COALESCE(search_text, '')))",
    "CREATE INDEX IF NOT EXISTS catalogue_service_trgm ON catalogue_service USING gin (search_text gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS catalogue_service_trgm", "DROP INDEX IF EXISTS catalogue_service_fts"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
