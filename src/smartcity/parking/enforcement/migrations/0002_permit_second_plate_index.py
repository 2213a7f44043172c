"""Plate lookups also match a permit's second plate (the exception for two plates); index it, active only.

Raw SQL on the parking app's table: the index serves only the enforcement query, so it lives here and not in
parking's model state. The same statement works on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("parking_enforcement", "0001_initial"),
        ("parking", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS parking_enf_permit_second_plate ON parking_permit (second_plate) "
            "WHERE status = 'active'",
            "DROP INDEX IF EXISTS parking_enf_permit_second_plate",
        ),
    ]
