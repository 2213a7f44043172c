"""Both plates of a permit in ``PermitPlate``, unique among active permits (issue 3: "none for this plate").

The old partial unique constraint covered only ``Permit.plate``: a second plate could be on another active permit
(as its first or second plate). The plates table, written by triggers (``parking/plate_register.py``), replaces
that constraint and the plate indexes the enforcement lookup used. Existing rows are copied; if a plate is already
on several active permits the migration stops and names them (resolve, then migrate again).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_plates(apps, schema_editor):
    from smartcity.parking.plate_register import rebuild

    rebuild(schema_editor.connection)


def install_triggers(apps, schema_editor):
    """PostgreSQL only: on SQLite the post_migrate receiver installs them after the whole run (plate_register.py)."""
    from smartcity.parking.plate_register import install_triggers

    if schema_editor.connection.vendor == "postgresql":
        install_triggers(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from smartcity.parking.plate_register import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0003_retention"),
    ]

    operations = [
        migrations.CreateModel(
            name="PermitPlate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slot", models.PositiveSmallIntegerField()),
                ("plate", models.CharField(max_length=12, verbose_name="Kennzeichen")),
                ("active", models.BooleanField()),
            ],
            options={
                "verbose_name": "Kennzeichen eines Ausweises",
                "verbose_name_plural": "Kennzeichen der Ausweise",
            },
        ),
        migrations.RemoveConstraint(
            model_name="permit",
            name="uniq_active_permit_per_plate",
        ),
        migrations.RemoveIndex(
            model_name="permit",
            name="parking_permit_plate_status",
        ),
        migrations.AddField(
            model_name="permitplate",
            name="permit",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="plates", to="parking.permit"),
        ),
        # Copy before the indexes exist: one bulk insert, then each index is built once.
        migrations.RunPython(copy_plates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="permitplate",
            constraint=models.UniqueConstraint(fields=("permit", "slot"), name="uniq_permit_plate_slot"),
        ),
        migrations.AddConstraint(
            model_name="permitplate",
            constraint=models.UniqueConstraint(condition=models.Q(("active", True)), fields=("plate",),
                                               name="uniq_active_plate"),
        ),
        migrations.AddConstraint(
            model_name="permitplate",
            constraint=models.CheckConstraint(condition=models.Q(("slot__in", (1, 2))),
                                              name="permit_plate_slot_1_or_2"),
        ),
        # Last, and on PostgreSQL only (SQLite: see install_triggers).
        migrations.RunPython(install_triggers, drop_triggers),
    ]
