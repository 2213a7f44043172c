"""The plate lookup reads ``parking_permitplate`` (both plates, one unique index) since parking 0004; the partial
index on ``parking_permit.second_plate`` that served the old two-column query is no longer used."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("parking_enforcement", "0002_permit_second_plate_index"),
        ("parking", "0004_permit_plates"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS parking_enf_permit_second_plate",
            "CREATE INDEX IF NOT EXISTS parking_enf_permit_second_plate ON parking_permit (second_plate) "
            "WHERE status = 'active'",
        ),
    ]
