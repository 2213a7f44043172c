"""PostgreSQL only: monthly range partitions and a BRIN index on time for observations (ADR 0080).

SQLite (the demo) keeps the plain table from 0001. The table is empty when this runs.
"""

from datetime import date

from django.db import migrations

PARTITIONED = """
DROP TABLE airquality_observation;
CREATE SEQUENCE IF NOT EXISTS airquality_observation_id_seq AS bigint;
CREATE TABLE airquality_observation (
    id bigint NOT NULL DEFAULT nextval('airquality_observation_id_seq'),
    phenomenon_time timestamp with time zone NOT NULL,
    phenomenon_start timestamp with time zone NULL,
    result double precision NOT NULL,
    result_time timestamp with time zone NULL,
    quality smallint NOT NULL CHECK (quality >= 0),
    parameters jsonb NULL,
    datastream_id bigint NOT NULL REFERENCES airquality_datastream (id) DEFERRABLE INITIALLY DEFERRED,
    feature_of_interest_id bigint NULL REFERENCES airquality_featureofinterest (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (id, phenomenon_time),
    CONSTRAINT aq_obs_unique_time UNIQUE (datastream_id, phenomenon_time)
) PARTITION BY RANGE (phenomenon_time);
ALTER SEQUENCE airquality_observation_id_seq OWNED BY airquality_observation.id;
CREATE TABLE airquality_observation_default PARTITION OF airquality_observation DEFAULT;
CREATE INDEX airquality_observation_time_brin ON airquality_observation USING brin (phenomenon_time);
CREATE INDEX airquality_observation_foi ON airquality_observation (feature_of_interest_id);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PARTITIONED)
    from smartcity.airquality.partitions import ensure_ahead

    ensure_ahead(date.today(), 3)


class Migration(migrations.Migration):
    dependencies = [("airquality", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
