import json
import uuid

import paho.mqtt.client as paho
import pytest
from django.conf import settings
from django.db import OperationalError

from smartcity.airquality import models as m
from smartcity.airquality import mqtt
from smartcity.airquality.mqtt import Message, Worker, store


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
