"""Seed the EU data themes as categories; on PostgreSQL add the GIN indexes for search and DataStore."""

from django.db import migrations

THEMES = {
    "agri": "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
    "econ": "Wirtschaft und Finanzen",
    "educ": "Bildung, Kultur und Sport",
    "ener": "Energie",
    "envi": "Umwelt",
    "gove": "Regierung und öffentlicher Sektor",
    "heal": "Gesundheit",
    "intr": "Internationale Themen",
    "just": "Justiz, Rechtssystem und öffentliche Sicherheit",
    "regi": "Regionen und Städte",
    "soci": "Bevölkerung und Gesellschaft",
    "tech": "Wissenschaft und Technologie",
    "tran": "Verkehr",
}

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS opendata_dataset_search_gin ON opendata_dataset USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS opendata_datastorerow_data_gin ON opendata_datastorerow USING gin (data jsonb_path_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS opendata_dataset_search_gin",
    "DROP INDEX IF EXISTS opendata_datastorerow_data_gin",
]


def seed_themes(apps, schema_editor):
    Group = apps.get_model("opendata", "Group")
    for code, title in THEMES.items():
        Group.objects.update_or_create(name=code, defaults={"title": title})


def pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def drop_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_initial")]

    operations = [
        migrations.RunPython(seed_themes, migrations.RunPython.noop),
        migrations.RunPython(pg_indexes, drop_pg_indexes),
    ]
