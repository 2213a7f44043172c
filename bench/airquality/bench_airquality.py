"""Air-quality benchmarks on PostgreSQL. Prints the figures recorded in docs/performance.md ("## Air quality").

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_airquality ./run manage migrate
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_airquality PYTHONPATH=src \
          /work/venv/bin/python bench/airquality/bench_airquality.py [--obs 200000] [--mqtt 20000]

It empties the airquality tables of the database it runs against: use a benchmark database.
"""

import argparse
import base64
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from smartcity.accounts.models import User  # noqa: E402
from smartcity.airquality import aggregates, catalog, partitions  # noqa: E402
from smartcity.airquality.domain import indicators as ind  # noqa: E402
from smartcity.airquality.models import Datastream, Sensor, Thing  # noqa: E402

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def reset() -> None:
    with connection.cursor() as cur:
        cur.execute("TRUNCATE airquality_observation, airquality_hourlyaggregate, airquality_dailyaggregate, "
                    "airquality_datastream, airquality_thing_locations, airquality_thing, airquality_sensor, "
                    "airquality_rejectioncounter, airquality_ingestcounter CASCADE")


def make_streams(n: int, interval_s: int = 3600) -> list[Datastream]:
    sensor = Sensor.objects.create(name="bench")
    op = catalog.observed_property("NO2")
    things = Thing.objects.bulk_create(Thing(name=f"bench {i}") for i in range(n))
    return Datastream.objects.bulk_create(
        Datastream(name=f"NO2 bench {i}", thing=t, sensor=sensor, observed_property=op,
                   unit_of_measurement=catalog.unit_json("NO2"), sampling_interval_s=interval_s)
        for i, t in enumerate(things)
    )


def bulk_api(streams: list[Datastream], total: int, start: datetime) -> float:
    """POST /sta/v1.1/CreateObservations with dataArray, end to end through the view (JSON, validation,
    COPY + upsert, aggregates, latest value)."""
    user, _ = User.objects.get_or_create(username="bench-gateway")
    user.set_password("Bench-Passwort-1")
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_observation"))
    auth = "Basic " + base64.b64encode(b"bench-gateway:Bench-Passwort-1").decode()
    client = Client()
    per_stream = total // len(streams)
    batch_streams = max(1, 20000 // per_stream)  # requests of about 20,000 observations
    elapsed = 0.0
    for b in range(0, len(streams), batch_streams):
        payload = [{
            "Datastream": {"@iot.id": ds.pk}, "components": ["phenomenonTime", "result"],
            "dataArray": [[(start + timedelta(hours=h)).isoformat(), 20 + (h * 7 + ds.pk) % 50]
                          for h in range(per_stream)],
        } for ds in streams[b:b + batch_streams]]
        body = json.dumps(payload)
        t = time.perf_counter()
        res = client.post("/sta/v1.1/CreateObservations", body, content_type="application/json",
                          HTTP_AUTHORIZATION=auth)
        elapsed += time.perf_counter() - t
        assert res.status_code == 201, res.content[:300]
    return per_stream * len(streams) / elapsed


def raw_copy(streams: list[Datastream], total: int, start: datetime) -> float:
    per_stream = total // len(streams)
    partitions.ensure_months([start.date(), (start + timedelta(hours=per_stream)).date()])
    rows = [(ds.pk, start + timedelta(hours=h), 20.0 + (h * 7 + ds.pk) % 50, 0) for ds in streams
            for h in range(per_stream)]
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy("COPY airquality_observation (datastream_id, phenomenon_time, result, quality) "
                             "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "timestamptz", "float8", "int2"])
            for row in rows:
                copy.write_row(row)
    return len(rows) / (time.perf_counter() - t)


def mqtt(streams: list[Datastream], n: int) -> float:
    import paho.mqtt.client as paho

    from smartcity.airquality.mqtt import Worker

    prefix = f"bench-{uuid.uuid4().hex[:6]}/"
    worker = Worker(url=settings.MQTT_URL, client_id=f"bench-{uuid.uuid4().hex[:6]}", prefix=prefix, batch=2000)
    worker.start()
    assert worker.subscribed.wait(10)
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}")
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect("127.0.0.1", 1883)
    pub.loop_start()
    start = datetime(2026, 2, 1, tzinfo=UTC)
    partitions.ensure_months([start.date()])

    done = [0]

    def publish() -> None:
        for i in range(n):
            while i - done[0] > 900:  # stay below Mosquitto's default per-client queue (1000), which drops
                time.sleep(0.001)  # messages beyond it: this measures sustained, not burst, throughput
            ds = streams[i % len(streams)]
            payload = json.dumps({"phenomenonTime": (start + timedelta(minutes=i)).isoformat(), "result": 30.5})
            pub.publish(f"{prefix}v1.1/Datastreams({ds.pk})/Observations", payload, qos=1)

    t = time.perf_counter()
    publisher = threading.Thread(target=publish)
    publisher.start()
    handled = 0
    while handled < n:
        got = worker.drain(timeout=10)
        if not got:
            raise SystemExit(f"MQTT: no message for 10 s after {handled} of {n}")
        handled += got
        done[0] = handled
    elapsed = time.perf_counter() - t
    publisher.join()
    pub.loop_stop()
    pub.disconnect()
    worker.client.disconnect()
    worker.client.loop_stop()
    return n / elapsed


def latest(streams: list[Datastream], repeats: int = 200) -> tuple[float, float]:
    ids = [ds.pk for ds in streams]
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        rows = list(Datastream.objects.filter(pk__in=ids).values_list("pk", "latest_time", "latest_result"))
        times.append((time.perf_counter() - t) * 1000)
        assert len(rows) == len(ids)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def annual_indicator() -> tuple[float, float, float]:
    [ds] = make_streams(1, interval_s=60)
    year = 2025
    start = datetime(year, 1, 1, tzinfo=ind.CET).astimezone(UTC)
    minutes = ind.hours_in_year(year) * 60
    partitions.ensure_months([(start + timedelta(days=31 * i)).date() for i in range(14)])
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy("COPY airquality_observation (datastream_id, phenomenon_time, result, quality) "
                             "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "timestamptz", "float8", "int2"])
            for i in range(minutes):
                if i % 1440 < 30:
                    continue  # a daily 30-minute calibration gap
                copy.write_row((ds.pk, start + timedelta(minutes=i + 1), 25.0 + (i % 600) / 20, 0))
    load = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        aggregates.refresh({ds.pk: [start + timedelta(hours=h + 1) for h in range(ind.hours_in_year(year))]})
    materialise = time.perf_counter() - t
    runs = []
    for _ in range(10):
        t = time.perf_counter()
        y_start, y_end = aggregates.day_bounds(datetime(year, 1, 1).date(), datetime(year, 12, 31).date())
        result = ind.annual_mean(aggregates.hourly_means(ds, y_start, y_end), year)
        runs.append((time.perf_counter() - t) * 1000)
    assert result.valid, result
    return load, materialise, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--obs", type=int, default=200_000)
    parser.add_argument("--mqtt", type=int, default=20_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run against PostgreSQL (DATABASE_URL=postgres://…)")
    reset()
    streams = make_streams(500)
    api_rate = bulk_api(streams[:100], args.obs, T0)
    copy_rate = raw_copy(streams[100:200], args.obs, T0)
    print(f"bulk ingest via CreateObservations: {api_rate:,.0f} obs/s")
    print(f"raw COPY into the same table:       {copy_rate:,.0f} obs/s  (API = {api_rate / copy_rate:.0%} of COPY)")
    if args.mqtt:
        print(f"MQTT ingest:                        {mqtt(streams, args.mqtt):,.0f} msg/s ({args.mqtt} messages, "
              "QoS 1)")
    median, p95 = latest(streams)
    print(f"latest value for 500 datastreams:   median {median:.2f} ms, p95 {p95:.2f} ms")
    load, materialise, query = annual_indicator()
    print(f"annual mean from 1 year of 1-min data: {query:.1f} ms (median of 10; "
          f"COPY of 525,600 rows {load:.1f} s, materialising hourly/daily aggregates {materialise:.1f} s)")


if __name__ == "__main__":
    main()
