import json
import uuid

import paho.mqtt.client as paho
import pytest
from django.conf import settings
from django.db import OperationalError

from smartcity.airquality import ingest, mqtt
from smartcity.airquality import models as m
from smartcity.airquality.mqtt import Message, Worker, store
from smartcity.airquality.tests.test_sta import BULK_ROWS


@pytest.mark.django_db
def test_store_batch_keeps_good_messages_and_counts_bad_ones(no2_stream):
    topic = f"v1.1/Datastreams({no2_stream.pk})/Observations"
    good = json.dumps({"phenomenonTime": "2026-04-01T10:00:00Z", "result": 33.0}).encode()
    result = store([
        Message(topic, good),
        Message(topic, b"{oops"),
        Message(topic, b"x" * (10 * 1024 * 1024)),
        Message("v1.1/Datastreams(987654)/Observations", good),
        Message(topic, json.dumps({"phenomenonTime": "2026-04-01T11:00:00Z", "result": -5}).encode()),
        Message(topic, json.dumps({"phenomenonTime": "2026-04-01T12:00:00", "result": 5}).encode()),
    ], max_bytes=256 * 1024)
    assert result.stored == 1
    assert sorted(r.reason for r in result.rejected) == [
        "malformed", "naive_timestamp", "out_of_range", "too_large", "unknown_datastream"]
    assert m.Observation.objects.get().result == 33.0
    assert m.RejectionCounter.objects.filter(source="mqtt").count() == 5


# Every two-value shape of the bulk fast-path test as an MQTT message, and shapes only MQTT has.
MQTT_SHAPES = [{"phenomenonTime": row[0], "result": row[1]} for row in BULK_ROWS if isinstance(row, list)
               and len(row) == 2] + [
    {"phenomenonTime": "2026-03-01T01:00:00Z", "result": 20, "resultQuality": "validated"},
    {"phenomenonTime": "2026-03-01T01:00:00Z", "result": 20, "parameters": {"flow": 1.2}},
    {"phenomenonTime": "2026-03-01T01:00:00Z", "value": 20},
    {"phenomenonTime": "2026-03-01T01:00:00Z", "result": None},
    [{"phenomenonTime": "2026-03-01T14:00:00Z", "result": 1}, {"phenomenonTime": "2026-03-01T15:00:00Z"}],
    20,
]


@pytest.mark.django_db
def test_store_fast_path_matches_the_full_checks(no2_stream, monkeypatch):
    """store() takes a fast path for {"phenomenonTime": UTC instant, "result": number}; every message must
    come out exactly as the full per-observation checks say: the same row, or the same reason and message."""
    captured = {}
    monkeypatch.setattr(ingest, "ingest_rows", lambda rows, rejected, source: captured.update(
        rows=rows, rejected=[(r.index, r.reason, r.message) for r in rejected]))
    topics = [f"v1.1/Datastreams({no2_stream.pk})/Observations", "v1.1/Datastreams(987654)/Observations"]
    messages = [(topic, shape) for topic in topics for shape in MQTT_SHAPES]
    store([Message(topic, json.dumps(shape).encode()) for topic, shape in messages], max_bytes=256 * 1024)

    v = ingest.Validator()
    rows, rejected = [], []
    for i, (topic, shape) in enumerate(messages):
        for item in shape if isinstance(shape, list) else [shape]:
            try:
                rows.append(ingest.observation_row(v, item, int(topic.split("(")[1].split(")")[0])))
            except ingest.InvalidValue as exc:
                rejected.append((i, exc.reason, str(exc)))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append((i, "malformed", f"malformed observation: {exc}"))
    assert captured["rejected"] == rejected
    assert captured["rows"] == rows
    assert len(rows) == 8 and len(rejected) == 34  # 13 for the known datastream, all 21 items for the unknown


@pytest.mark.parametrize("payload", [
    b'{"result": 1.5}', '{"name": "Straße"}'.encode(), '{"result": 2}'.encode("utf-16"),
    '{"result": 3}'.encode("utf-16-le"), '{"result": 4}'.encode("utf-8-sig"), b"{oops", b"\xff\xfe\xfd", b"",
])
def test_payload_parsing_accepts_and_rejects_what_json_loads_does(payload):
    try:
        expected = json.loads(payload)
    except ValueError as exc:
        with pytest.raises(type(exc)) as raised:
            mqtt._parse(payload)
        assert str(raised.value) == str(exc)
    else:
        assert mqtt._parse(payload) == expected


def publish_packet(topic: bytes, payload: bytes, *, qos: int = 1, properties: bytes = b"\x00") -> tuple[int, bytes]:
    """The fixed header's first byte and the rest of an MQTT 5 PUBLISH packet, as the broker sends it."""
    mid = b"\x01\x02" if qos else b""
    return 0x30 | qos << 1, len(topic).to_bytes(2, "big") + topic + mid + properties + payload


@pytest.mark.parametrize("packet", [
    publish_packet(b"v1.1/Datastreams(7)/Observations", b'{"result": 1}'),
    publish_packet(b"v1.1/Datastreams(7)/Observations", b""),
    publish_packet("v1.1/Datastreams(7)/Obsérvations".encode(), b"{}"),
    publish_packet(b"v1.1/Datastreams(7)/Observations", b"{}", properties=b"\x02\x01\x01"),  # payload format
    publish_packet(b"v1.1/Datastreams(7)/Observations", b"{}", qos=0),
])
def test_lean_publish_path_delivers_what_paho_decodes(packet):
    """The worker's client decodes the common PUBLISH itself (no Properties object); whatever it handles must
    come out as paho's own decoder has it, the rest goes through paho to on_message."""
    worker = Worker(url="mqtt://127.0.0.1:1", client_id="aq-test-lean", max_bytes=256 * 1024)
    worker.client._in_packet = {"command": packet[0], "packet": bytearray(packet[1])}
    worker.client._handle_publish()
    decoded = paho._packet.decode_publish(packet[0], bytes(packet[1]), paho.MQTTv5)
    assert worker.inbox.get_nowait() == Message(decoded.topic.decode(), decoded.payload, decoded.mid, decoded.qos, 0)
    assert worker.inbox.empty()


def test_lean_publish_path_is_only_for_manual_acknowledgement():
    """Without manual_ack paho acknowledges on its own after on_message; the lean path must not skip that."""
    delivered, received = [], []
    client = mqtt._Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5, deliver=delivered.append)
    client.on_message = lambda client, userdata, msg: received.append(msg.payload)
    header, body = publish_packet(b"v1.1/Datastreams(7)/Observations", b"{}")
    client._in_packet = {"command": header, "packet": bytearray(body)}
    client._handle_publish()
    assert delivered == [] and received == [b"{}"]


def start_worker(**options: object) -> tuple[Worker, str]:
    """A worker with its own client id and topic prefix (the broker is shared), subscribed."""
    prefix = f"test-{uuid.uuid4().hex[:8]}/"
    worker = Worker(url=settings.MQTT_URL, client_id=f"aq-test-{uuid.uuid4().hex[:8]}", prefix=prefix,
                    max_bytes=256 * 1024, **options)
    worker.start()
    assert worker.subscribed.wait(10)
    return worker, prefix


def publish(topic: str, payloads: list[bytes | str]) -> None:
    """Publish with QoS 1 as a sensor does, each message confirmed by the broker."""
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"aq-pub-{uuid.uuid4().hex[:8]}")
    pub.connect("127.0.0.1", 1883)
    pub.loop_start()
    for payload in payloads:
        pub.publish(topic, payload, qos=1).wait_for_publish(10)
    pub.loop_stop()
    pub.disconnect()


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_publish_over_mqtt_and_read_back_through_the_api(client, no2_stream):
    worker, prefix = start_worker()
    try:
        topic = f"{prefix}v1.1/Datastreams({no2_stream.pk})/Observations"
        publish(topic, [b"y" * (10 * 1024 * 1024),
                        json.dumps({"phenomenonTime": "2026-05-01T08:00:00Z", "result": 47.5})])
        handled = 0
        for _ in range(40):
            handled += worker.drain(timeout=0.5)
            if handled >= 2:
                break
        assert handled == 2
    finally:
        worker.client.disconnect()
        worker.client.loop_stop()
    body = client.get(f"/sta/v1.1/Datastreams({no2_stream.pk})/Observations").json()
    assert [o["result"] for o in body["value"]] == [47.5]
    assert m.RejectionCounter.objects.get(source="mqtt", reason="too_large").count == 1


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_a_batch_that_failed_to_commit_is_redelivered_and_stored_once(no2_stream, monkeypatch):
    """Nothing of a failed batch is acknowledged; after the reconnect the broker delivers it again, messages
    from the old connection are not acked with stale packet ids, and every message ends up stored once."""
    worker, prefix = start_worker(batch=2, linger=0.5)
    try:
        topic = f"{prefix}v1.1/Datastreams({no2_stream.pk})/Observations"
        publish(topic, [json.dumps({"phenomenonTime": f"2026-05-01T0{hour}:00:00Z", "result": 40.0 + hour})
                        for hour in range(4)])

        def database_down(*args, **kwargs):
            raise OperationalError("database unavailable")

        first_connection = worker.connection
        with monkeypatch.context() as patched:
            patched.setattr(mqtt, "store", database_down)
            assert worker.drain(timeout=5) == 0  # two messages taken, none stored, none acked
        handled = 0
        for _ in range(60):
            handled += worker.drain(timeout=0.5)
            if handled >= 4 and worker.inbox.empty():
                break
        assert worker.connection > first_connection
        assert handled == 4  # the two left from the first connection were skipped, not acked
    finally:
        worker.client.disconnect()
        worker.client.loop_stop()
    assert sorted(m.Observation.objects.filter(datastream=no2_stream).values_list("result", flat=True)) == [
        40.0, 41.0, 42.0, 43.0]


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_worker_reconnects_after_losing_the_broker_connection_and_loses_no_message(no2_stream):
    """The connection to the broker breaks in the middle of a stream; the worker reconnects to its persistent
    session and every published message ends up stored, acknowledged or not at the time of the break.

    Restarting the shared Mosquitto would disconnect the other developers' and CI's clients, so the test breaks
    the worker's TCP connection instead (shutdown of its socket): for the worker that is what a broker restart
    looks like (the connection dies without a DISCONNECT), and the broker keeps the session, as a restarted
    broker with persistence does. Messages are published before, during and after the outage; some of the
    earlier ones were received but not yet acknowledged when the connection broke, so they must come again.
    """
    import socket
    import time

    prefix = f"test-{uuid.uuid4().hex[:8]}/"
    topic = f"{prefix}v1.1/Datastreams({no2_stream.pk})/Observations"
    worker = Worker(url=settings.MQTT_URL, client_id=f"aq-test-{uuid.uuid4().hex[:8]}", prefix=prefix, batch=5,
                    max_bytes=256 * 1024)
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"aq-pub-{uuid.uuid4().hex[:8]}")

    def publish(first: int, count: int) -> None:
        for i in range(first, first + count):
            body = {"phenomenonTime": f"2026-05-{1 + i // 24:02d}T{i % 24:02d}:00:00Z", "result": float(i)}
            pub.publish(topic, json.dumps(body), qos=1).wait_for_publish(10)

    def drain_until(done, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            worker.drain(timeout=0.2)

    worker.start()
    try:
        assert worker.subscribed.wait(10)
        pub.connect("127.0.0.1", 1883)
        pub.loop_start()
        publish(0, 30)
        drain_until(lambda: m.Observation.objects.count() >= 5)  # one batch stored and acknowledged
        deadline = time.monotonic() + 10
        while worker.inbox.qsize() < 5 and time.monotonic() < deadline:
            time.sleep(0.05)  # more messages received, not yet acknowledged
        assert worker.inbox.qsize() >= 5

        worker.client.socket().shutdown(socket.SHUT_RDWR)  # the connection dies mid-stream
        deadline = time.monotonic() + 10
        while worker.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.connected.is_set()
        publish(30, 10)  # published while the worker is away: the broker queues them in the session
        assert worker.connected.wait(30), "the worker did not reconnect"
        assert worker.connection == 2
        publish(40, 10)
        drain_until(lambda: m.Observation.objects.count() >= 50)
    finally:
        pub.loop_stop()
        pub.disconnect()
        worker.client.disconnect()
        worker.client.loop_stop()
    stored = sorted(m.Observation.objects.values_list("result", flat=True))
    assert stored == [float(i) for i in range(50)]
    assert m.IngestCounter.objects.get(source="mqtt").accepted >= 50  # redelivered copies count again


@pytest.mark.django_db(transaction=True)  # drain() closes old connections, as the long-running worker must
def test_messages_of_an_earlier_connection_are_neither_stored_nor_acked(no2_stream):
    """Packet ids belong to one connection: after a reconnect the broker redelivers unacknowledged messages and
    may reuse an old id for another message, so acking a message from the broken connection could drop a
    message that was never stored. The redelivered copy is stored instead. (No broker needed: the worker's
    inbox is filled directly.)"""
    worker = Worker(url="mqtt://127.0.0.1:1", client_id=f"aq-test-{uuid.uuid4().hex[:8]}", batch=10,
                    max_bytes=256 * 1024)
    acked = []
    worker.client.ack = lambda mid, qos: acked.append(mid)
    topic = f"v1.1/Datastreams({no2_stream.pk})/Observations"
    worker.connection = 2
    for mid, connection, hour in [(7, 1, 1), (8, 1, 2), (7, 2, 1), (9, 2, 3)]:
        body = json.dumps({"phenomenonTime": f"2026-05-01T{hour:02d}:00:00Z", "result": float(hour)}).encode()
        worker.inbox.put(Message(topic, body, mid, 1, connection))
    assert worker.drain(timeout=0.1) == 2
    assert acked == [7, 9]  # only the copies delivered on the current connection
    assert sorted(m.Observation.objects.values_list("result", flat=True)) == [1.0, 3.0]
