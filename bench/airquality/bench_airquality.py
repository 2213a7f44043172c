"""Air-quality benchmarks on PostgreSQL. Prints the figures recorded in docs/performance.md ("## Air quality").

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_airquality ./run manage migrate
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_airquality PYTHONPATH=src \
          /work/venv/bin/python bench/airquality/bench_airquality.py [--obs 200000] [--mqtt 20000]

It empties the airquality tables of the database it runs against: use a benchmark database.

The bulk path runs as in production with a Celery broker (CELERY_BROKER_URL, default Redis DB 7): the
requests queue the aggregate refresh, which the benchmark then runs itself, as the worker would, and times
separately. Besides rates it prints CPU time per observation of this process (the Django view in-process)
and of its PostgreSQL backend (read from /proc, so PostgreSQL must run on this machine): those figures do
not depend on what else runs, unlike the rates.
"""

import argparse
import base64
import json
import multiprocessing
import multiprocessing.sharedctypes
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/7")
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
from smartcity.celery import app  # noqa: E402

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class Meter:
    """Wall time, CPU time of this process and of its PostgreSQL backend between start() and stop()."""

    def __init__(self) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.pid = cur.fetchone()[0]
        self.wall = self.cpu = self.db_cpu = 0.0

    def _db_cpu(self) -> float:
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")  # PostgreSQL on another machine
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> "Meter":
        self._start = (time.perf_counter(), time.process_time(), self._db_cpu())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu, db = self._start
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.db_cpu += self._db_cpu() - db

    def per(self, n: int) -> str:
        return f"CPU per observation: {1e6 * self.cpu / n:.1f} µs Python + {1e6 * self.db_cpu / n:.1f} µs PostgreSQL"


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


def _gateway_auth() -> str:
    user, _ = User.objects.get_or_create(username="bench-gateway")
    user.set_password("Bench-Passwort-1")
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_observation"))
    return "Basic " + base64.b64encode(b"bench-gateway:Bench-Passwort-1").decode()


def _bodies(streams: list[Datastream], total: int, start: datetime) -> list[str]:
    """CreateObservations requests of about 20,000 hourly observations (dataArray), one group per datastream."""
    per_stream = total // len(streams)
    batch_streams = max(1, 20000 // per_stream)
    return [json.dumps([{
        "Datastream": {"@iot.id": ds.pk}, "components": ["phenomenonTime", "result"],
        "dataArray": [[(start + timedelta(hours=h)).isoformat(), 20 + (h * 7 + ds.pk) % 50] for h in range(per_stream)],
    } for ds in streams[b:b + batch_streams]]) for b in range(0, len(streams), batch_streams)]


def _post(client: Client, auth: str, body: str) -> None:
    res = client.post("/sta/v1.1/CreateObservations", body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert res.status_code == 201, res.content[:300]


def bulk_api(streams: list[Datastream], total: int, start: datetime) -> tuple[Meter, Meter, int]:
    """POST /sta/v1.1/CreateObservations with dataArray, end to end through the view (JSON, validation,
    COPY + upsert, latest value, stale marks), then the queued aggregate refresh as the Celery worker runs it.
    Returns the meters of the requests and of the refresh, and the number of observations."""
    auth = _gateway_auth()
    client = Client()
    warm_up = [{"Datastream": {"@iot.id": streams[0].pk}, "components": ["phenomenonTime", "result"],
                "dataArray": [[(start - timedelta(days=1)).isoformat(), 1]]}]
    _post(client, auth, json.dumps(warm_up))  # a gateway's first request: password check (then cached), imports
    bodies = _bodies(streams, total, start)
    requests, refresh = Meter(), Meter()
    for body in bodies:
        with requests:
            _post(client, auth, body)
    with refresh:
        aggregates.refresh_stale()
    app.control.purge()  # the refresh tasks the requests queued: their work is done
    return requests, refresh, total // len(streams) * len(streams)


def bulk_api_parallel(streams: list[Datastream], total: int, start: datetime, gateways: int) -> float:
    """The same requests from ``gateways`` concurrent clients (threads, each with its own database
    connection, like gunicorn workers): Python work of one request overlaps PostgreSQL work of another.
    Returns observations per second over the requests alone."""
    auth = _gateway_auth()
    bodies = _bodies(streams, total, start)
    barrier = threading.Barrier(gateways + 1)

    def gateway(share: list[str]) -> None:
        client = Client()
        _post(client, auth, json.dumps([{"Datastream": {"@iot.id": streams[0].pk},
                                         "components": ["phenomenonTime", "result"],
                                         "dataArray": [[(start - timedelta(days=2)).isoformat(), 1]]}]))
        barrier.wait()
        for body in share:
            _post(client, auth, body)
        connection.close()

    threads = [threading.Thread(target=gateway, args=(bodies[g::gateways],)) for g in range(gateways)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t
    aggregates.refresh_stale()
    app.control.purge()
    return total // len(streams) * len(streams) / elapsed


def raw_copy(streams: list[Datastream], total: int, start: datetime) -> tuple[Meter, int]:
    per_stream = total // len(streams)
    partitions.ensure_months([start.date(), (start + timedelta(hours=per_stream)).date()])
    rows = [(ds.pk, start + timedelta(hours=h), 20.0 + (h * 7 + ds.pk) % 50, 0) for ds in streams
            for h in range(per_stream)]
    meter = Meter()
    with meter, transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy("COPY airquality_observation (datastream_id, phenomenon_time, result, quality) "
                             "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "timestamptz", "float8", "int2"])
            for row in rows:
                copy.write_row(row)
    return meter, len(rows)


def _messages(prefix: str, stream_ids: list[int], n: int) -> list[tuple[str, bytes]]:
    """Topic and payload of messages 0 … n-1: message i goes to datastream i mod streams, minutely per datastream."""
    start = datetime(2026, 2, 1, tzinfo=UTC)
    return [(f"{prefix}v1.1/Datastreams({stream_ids[i % len(stream_ids)]})/Observations",
             json.dumps({"phenomenonTime": (start + timedelta(minutes=i // len(stream_ids))).isoformat(),
                         "result": 20 + i % 40}).encode()) for i in range(n)]


def _publish(url: str, prefix: str, messages: list[tuple[str, bytes]], first: int, n: int, clients: int,
             handled: "multiprocessing.sharedctypes.Synchronized", window: int, share: float) -> None:
    """One publisher process: ``clients`` MQTT clients (sensors) publish messages first … first+n-1 with QoS 1
    and wait for every PUBACK. Publishing pauses while this process is more than ``window`` messages ahead
    of its share of what the worker has stored: the broker's per-client queue (Mosquitto default 1,000,
    dropped beyond) must not overflow, so this measures sustained throughput, not a burst into the queue.

    One thread drives all clients through paho's external-loop API (publish() writes at once, select() collects
    the PUBACKs): with a network thread per client (loop_start), each message woke a thread, and the publishers
    took more CPU per message than the worker they compete with for the two cores (docs/performance.md)."""
    import select

    import paho.mqtt.client as paho

    u = urlparse(url)
    pubs = []
    for c in range(clients):
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"{prefix}pub-{first}-{c}")
        pub.max_inflight_messages_set(100)
        pub.connect(u.hostname or "127.0.0.1", u.port or 1883)
        pubs.append(pub)
    by_socket = {pub.socket(): pub for pub in pubs}

    def poll(timeout: float) -> None:
        """Read PUBACKs (paho then sends messages queued beyond max_inflight), finish partial writes."""
        readable, _, _ = select.select(list(by_socket), [], [], timeout)
        for sock in readable:
            by_socket[sock].loop_read()
        for pub in pubs:
            if pub.want_write():
                pub.loop_write()
            pub.loop_misc()

    while not all(pub.is_connected() for pub in pubs):
        poll(0.1)
    infos = []
    for k in range(n):
        i = first + k
        while k - handled.value * share > window:
            poll(0.002)
        topic, payload = messages[i]
        infos.append(pubs[i % clients].publish(topic, payload, qos=1))
        if k % 64 == 0:
            poll(0)
    deadline = time.monotonic() + 60
    while not all(info.is_published() for info in infos):
        if time.monotonic() > deadline:
            raise SystemExit("publisher: messages without PUBACK after 60 s")
        poll(0.01)
    for pub in pubs:
        pub.disconnect()


def mqtt(streams: list[Datastream], n: int, url: str, processes: int, clients: int,
         window: int) -> tuple[float, float, Meter]:
    """Returns messages per second (first publish until the last message is stored and acknowledged), the
    mean batch size of the worker and the worker's meter. ``window``: how many messages all publishers
    together may be ahead of the worker's commits."""
    from smartcity.airquality.mqtt import Worker

    prefix = f"bench-{uuid.uuid4().hex[:6]}/"
    worker = Worker(url=url, client_id=f"{prefix}worker", prefix=prefix, batch=settings.AIRQUALITY_MQTT_BATCH,
                    linger=settings.AIRQUALITY_MQTT_LINGER_MS / 1000)
    worker.start()
    assert worker.subscribed.wait(10)
    partitions.ensure_months([datetime(2026, 2, 1).date(), datetime(2026, 3, 1).date()])
    handled = multiprocessing.get_context("fork").Value("l", 0, lock=False)
    per = n // processes
    window //= processes
    messages = _messages(prefix, [ds.pk for ds in streams], per * processes)  # before the clock starts
    procs = [multiprocessing.get_context("fork").Process(
        target=_publish, args=(url, prefix, messages, p * per, per, clients, handled, window, 1 / processes))
        for p in range(processes)]
    connection.close()  # the children must not share the parent's database connection
    t = time.perf_counter()
    for proc in procs:
        proc.start()
    meter = Meter()  # the worker's process (network thread included) and its database backend
    batches = 0
    with meter:
        while handled.value < per * processes:
            got = worker.drain(timeout=10)
            if not got:
                raise SystemExit(f"MQTT: no message for 10 s after {handled.value} of {per * processes}")
            handled.value += got
            batches += 1
    elapsed = time.perf_counter() - t
    for proc in procs:
        proc.join()
    worker.client.disconnect()
    worker.client.loop_stop()
    _discard_session(url, f"{prefix}worker")
    return per * processes / elapsed, per * processes / batches, meter


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


def _discard_session(url: str, client_id: str) -> None:
    """End the worker's persistent session on the broker (the benchmark's client ids are one-off)."""
    import paho.mqtt.client as paho
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    u = urlparse(url)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    client.connect(u.hostname or "127.0.0.1", u.port or 1883, clean_start=True, properties=props)
    client.loop_start()
    time.sleep(0.5)
    client.disconnect()
    client.loop_stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--obs", type=int, default=200_000)
    parser.add_argument("--mqtt", type=int, default=20_000)
    parser.add_argument("--gateways", type=int, default=2, help="concurrent clients for the second bulk run")
    parser.add_argument("--mqtt-url", default=settings.MQTT_URL)
    parser.add_argument("--publishers", type=int, default=2, help="publisher processes")
    parser.add_argument("--clients", type=int, default=10, help="MQTT clients (sensors) per publisher process")
    parser.add_argument("--window", type=int, default=900,
                        help="messages the publishers may be ahead of the worker's commits; the default stays "
                             "below Mosquitto's default queue of 1,000 per client (beyond it the broker drops); "
                             "with deploy/mosquitto/smartcity.conf e.g. 6000")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run against PostgreSQL (DATABASE_URL=postgres://…)")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    reset()
    streams = make_streams(500)
    requests, refresh, n = bulk_api(streams[:100], args.obs, T0)
    copy, n_copy = raw_copy(streams[100:200], args.obs, T0)
    api_rate, copy_rate = n / requests.wall, n_copy / copy.wall
    print(f"bulk ingest via CreateObservations: {api_rate:,.0f} obs/s  ({requests.per(n)})")
    print(f"raw COPY into the same table:       {copy_rate:,.0f} obs/s  ({copy.per(n_copy)})")
    print(f"  API = {api_rate / copy_rate:.0%} of raw COPY")
    print(f"aggregate refresh (Celery task):    {n / refresh.wall:,.0f} obs/s  ({refresh.per(n)}); "
          f"requests + refresh {n / (requests.wall + refresh.wall):,.0f} obs/s")
    if args.gateways > 1:
        rate = bulk_api_parallel(streams[200:300], args.obs, T0, args.gateways)
        print(f"bulk ingest, {args.gateways} concurrent gateways:   {rate:,.0f} obs/s  (same requests, other streams)")
    if args.mqtt:
        rate, batch, meter = mqtt(streams, args.mqtt, args.mqtt_url, args.publishers, args.clients, args.window)
        print(f"MQTT ingest:                        {rate:,.0f} msg/s ({args.mqtt} messages, QoS 1, "
              f"{args.publishers}×{args.clients} publishing clients, mean batch {batch:.0f})")
        print(f"  worker {meter.per(args.mqtt).replace('observation', 'message')}")
        with Meter() as meter:
            hours = aggregates.refresh_stale()
        app.control.purge()
        print(f"  then the aggregate refresh of {hours} stale ranges: {meter.wall:.2f} s")
    median, p95 = latest(streams)
    print(f"latest value for 500 datastreams:   median {median:.2f} ms, p95 {p95:.2f} ms")
    load, materialise, query = annual_indicator()
    print(f"annual mean from 1 year of 1-min data: {query:.1f} ms (median of 10; "
          f"COPY of 525,600 rows {load:.1f} s, materialising hourly/daily aggregates {materialise:.1f} s)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
