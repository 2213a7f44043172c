"""Cheaper inserts into the observation table (ADR 0080, fourth session).

* The foreign key of observations to their datastream goes (its per-row check cost PostgreSQL about half of
  a bulk insert); ingest checks and locks the datastreams of each batch instead, and on PostgreSQL a
  statement trigger deletes the observations of deleted datastreams, so no row outlives its datastream even
  when an ingest commits while the datastream is being deleted.
* The index on feature_of_interest_id leaves out the NULLs (nearly every row): lookups by a feature are
  unchanged, inserts of rows without one skip the index.
"""

from django.db import migrations, models

FORWARDS = """
CREATE FUNCTION airquality_delete_observations_of_datastreams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM airquality_observation o USING deleted d WHERE o.datastream_id = d.id;
    RETURN NULL;
END $$;
CREATE TRIGGER airquality_datastream_observations AFTER DELETE ON airquality_datastream
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION airquality_delete_observations_of_datastreams();
DROP INDEX airquality_observation_foi;
CREATE INDEX airquality_observation_foi ON airquality_observation (feature_of_interest_id)
    WHERE feature_of_interest_id IS NOT NULL;
"""
BACKWARDS = """
DROP TRIGGER airquality_datastream_observations ON airquality_datastream;
DROP FUNCTION airquality_delete_observations_of_datastreams();
DROP INDEX airquality_observation_foi;
CREATE INDEX airquality_observation_foi ON airquality_observation (feature_of_interest_id);
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("airquality", "0003_stale_ranges")]
    operations = [
        migrations.AlterField(
            model_name="observation",
            name="datastream",
            field=models.ForeignKey(
                db_constraint=False, on_delete=models.deletion.CASCADE, related_name="observations",
                to="airquality.datastream",
            ),
        ),
        migrations.RunPython(_on_postgresql(FORWARDS), _on_postgresql(BACKWARDS)),
    ]
