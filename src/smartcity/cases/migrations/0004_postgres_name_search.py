"""PostgreSQL only: trigram indexes for the back-office search (name or part of a reference, case-insensitive).

Django's ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)``; these expression indexes match it.
SQLite (demo) scans, which is fine for demo sizes.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS case_applicant_name_trgm ON cases_case "
    "USING gin (UPPER(applicant_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_reference_trgm ON cases_case USING gin (UPPER(reference::text) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS case_reference_trgm", "DROP INDEX IF EXISTS case_applicant_name_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_queue_indexes")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
