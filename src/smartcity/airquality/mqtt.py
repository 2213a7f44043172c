"""MQTT ingest worker: observations published to ``v1.1/Datastreams(<id>)/Observations`` (STA clause 14).

Delivery guarantee: QoS 1 with a persistent session (fixed client id, MQTT 5 clean start off) and manual
acknowledgement. A message is acknowledged only after the database transaction that stored it (or counted
it as rejected) has committed. If the database fails, nothing of the batch is acknowledged and the worker
reconnects, so the broker delivers the messages again; duplicates are harmless because storing is an upsert.
"""

import functools
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import urlparse

import paho.mqtt.client as paho
from django.db import close_old_connections, transaction
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from . import ingest

log = logging.getLogger(__name__)
SOURCE = "mqtt"
SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps queued QoS 1 messages this long while the worker is down
TOPIC = re.compile(r"(?:^|/)v1\.1/(?:Datastreams\((?P<ds>\d+)\)/)?Observations$")


class Message(NamedTuple):  # a tuple: one is built per message on the network thread
    topic: str
    payload: bytes
    mid: int = 0
    qos: int = 1
    connection: int = 0  # which connection of the worker received it (packet ids are per connection)


def topic_filter(prefix: str = "") -> str:
    return f"{prefix}v1.1/+/Observations"


@functools.lru_cache(maxsize=4096)
def _topic_datastream(topic: str) -> tuple[bool, int | None]:
    """Whether the topic is supported, and the datastream id it names (if any). Topics repeat per sensor, so
    the answers are cached (bounded: anyone may publish to new topic names)."""
    match = TOPIC.search(topic)
    if not match:
        return False, None
    return True, match["ds"] and int(match["ds"])


def _parse(payload: bytes) -> object:
    """json.loads(payload). The payload is decoded as UTF-8 first, which spares json's encoding detection (a
    third of its time on a sensor message); anything that fails so takes json's own path, which accepts the
    other encodings JSON allows and gives the precise error."""
    try:
        return json.loads(payload.decode())
    except ValueError:  # UnicodeDecodeError is one too
        return json.loads(payload)


def store(messages: Iterable[Message], *, max_bytes: int) -> ingest.IngestResult:
    """Validate and store a batch of messages in one transaction; bad messages are counted, not raised."""
    validator = ingest.Validator()
    rows: list[ingest.Row] = []
    rejected: list[ingest.Rejection] = []
    parsed: list[tuple[int, int | None, object]] = []
    for i, msg in enumerate(messages):
        supported, ds_id = _topic_datastream(msg.topic)
        if not supported:
            rejected.append(ingest.Rejection(i, ingest.Reason.MALFORMED, f"topic {msg.topic[:80]!r} not supported"))
            continue
        if len(msg.payload) > max_bytes:
            rejected.append(ingest.Rejection(
                i, ingest.Reason.TOO_LARGE, f"message of {len(msg.payload)} bytes exceeds {max_bytes} bytes"))
            continue
        try:
            parsed.append((i, ds_id, _parse(msg.payload)))
        except (ValueError, UnicodeDecodeError) as exc:
            rejected.append(ingest.Rejection(i, ingest.Reason.MALFORMED, f"malformed JSON: {exc}"))
    validator.preload({ds_id for _, ds_id, _ in parsed if ds_id})  # one query for the batch's datastreams
    for i, ds_id, data in parsed:
        # The common message, {"phenomenonTime": UTC instant, "result": plausible number} to a known datastream,
        # takes the fast path; everything else the full checks, which give the same row or the precise reason.
        if ds_id and type(data) is dict and len(data) == 2 and (stream := validator.preloaded(ds_id)):
            row = ingest.fast_row(stream, data.get("phenomenonTime"), data.get("result"))
            if row is not None:
                rows.append(row)
                continue
        for item in data if isinstance(data, list) else [data]:
            try:
                rows.append(ingest.observation_row(validator, item, ds_id))
            except ingest.InvalidValue as exc:
                rejected.append(ingest.Rejection(i, exc.reason, str(exc)))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append(ingest.Rejection(i, ingest.Reason.MALFORMED, f"malformed observation: {exc}"))
    return ingest.ingest_rows(rows, rejected, source=SOURCE)


class _Client(paho.Client):
    """paho's client with a lean path for the common PUBLISH: MQTT 5, QoS 1 acknowledged manually, no
    properties, a UTF-8 topic.

    For every PUBLISH paho builds a Properties object (clearing all 27 property names one by one) and an
    MQTTMessage, about half of the network thread's CPU per message (profiled, docs/performance.md); the worker
    needs topic, payload and packet id. Any other PUBLISH takes paho's own path (which calls on_message)."""

    def __init__(self, *args: object, deliver: Callable[[str, bytes, int, int], None], **kwargs: object):
        super().__init__(*args, **kwargs)
        self._deliver = deliver

    def _handle_publish(self) -> paho.MQTTErrorCode:
        header, packet = self._in_packet["command"], self._in_packet["packet"]
        if header & 0x06 == 0x02 and self._protocol == paho.MQTTv5 and self._manual_ack:  # QoS 1, acked by us
            mid_at = 2 + int.from_bytes(packet[:2], "big")  # after the length-prefixed topic
            if len(packet) > mid_at + 2 and packet[mid_at + 2] == 0:  # the packet id, then no properties
                try:
                    topic = packet[2:mid_at].decode()
                except UnicodeDecodeError:
                    return super()._handle_publish()
                mid = int.from_bytes(packet[mid_at:mid_at + 2], "big")
                self._deliver(topic, bytes(memoryview(packet)[mid_at + 3:]), mid, 1)
                return paho.MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._handle_publish()


class Worker:
    """Subscribes, batches messages, stores them, then acknowledges. ``stop`` ends ``run`` cleanly.

    A batch closes at ``batch`` messages or ``linger`` seconds after its first message: one transaction
    (one COPY) per batch instead of per message is what makes thousands of messages per second possible,
    at the price of up to ``linger`` extra latency."""

    def __init__(self, *, url: str, client_id: str, prefix: str = "", batch: int = 500, max_bytes: int = 262144,
                 linger: float = 0.05):
        self.url = urlparse(url)
        self.prefix = prefix
        self.batch = batch
        self.linger = linger
        self.max_bytes = max_bytes
        self.inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.stop = threading.Event()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.stored = 0
        self.connection = 0
        # MQTT 5: the session survives reconnects (clean start off, long session expiry) and Receive Maximum
        # lets the broker keep a whole batch of unacknowledged messages in flight (MQTT 3.1.1 brokers cap
        # this at their own default, e.g. 20 for Mosquitto, which would cap the batch size).
        self.client = _Client(
            paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5, manual_ack=True,
            deliver=self._deliver,
        )
        self.connect_properties = Properties(PacketTypes.CONNECT)
        self.connect_properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self.connect_properties.ReceiveMaximum = min(max(batch, 20), 65535)
        if self.url.username:
            self.client.username_pw_set(self.url.username, self.url.password)
        if self.url.scheme in {"mqtts", "ssl"}:
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=60)  # exponential backoff between attempts
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self.subscribed.set()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("mqtt connect refused: %s", reason_code)
            return
        self.connection += 1
        client.subscribe(topic_filter(self.prefix), qos=1)
        self.connected.set()
        log.info("mqtt connected, session present: %s", flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        if not self.stop.is_set():
            log.warning("mqtt disconnected (%s); reconnecting with backoff", reason_code)

    def _on_message(self, client, userdata, msg) -> None:
        self._deliver(msg.topic, msg.payload, msg.mid, msg.qos)

    def _deliver(self, topic: str, payload: bytes, mid: int, qos: int) -> None:
        self.inbox.put(Message(topic, payload, mid, qos, self.connection))

    def start(self) -> None:
        self.client.connect_async(self.url.hostname or "127.0.0.1", self.url.port or 1883, keepalive=30,
                                  clean_start=False, properties=self.connect_properties)
        self.client.loop_start()  # the network thread reconnects by itself after a broker restart

    def run(self) -> None:
        self.start()
        try:
            while not self.stop.is_set():
                self.drain(timeout=0.5)
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def drain(self, timeout: float) -> int:
        """Store and acknowledge one batch; returns the number of messages handled."""
        try:
            first = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return 0
        batch = [first]
        deadline = time.monotonic() + self.linger
        while len(batch) < self.batch:
            try:
                batch.append(self.inbox.get_nowait())  # cheap while messages are waiting
                continue
            except queue.Empty:
                pass
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    break
                batch.append(self.inbox.get(timeout=remaining))
            except queue.Empty:
                break
        # QoS 1 messages received on an earlier connection (before a broker restart or our reconnect) are
        # unacknowledged in the persistent session, so the broker delivers them again on this connection; their
        # packet ids are not valid here (the broker may have reused them), so they are neither stored nor acked.
        current = self.connection
        batch = [msg for msg in batch if not msg.qos or msg.connection == current]
        if not batch:
            return 0
        try:
            close_old_connections()
            with transaction.atomic():
                result = store(batch, max_bytes=self.max_bytes)
        except Exception:
            # Nothing acknowledged: the broker redelivers after the reconnect (persistent session).
            log.exception("mqtt batch of %d messages not stored; reconnecting for redelivery", len(batch))
            self.client.reconnect()
            time.sleep(1)
            return 0
        if self.connection == current:  # else the broker redelivers the batch (stored again: an upsert)
            for msg in batch:
                if msg.qos:
                    self.client.ack(msg.mid, msg.qos)
        self.stored += result.stored
        if result.rejected:
            log.info("mqtt batch: %d stored, %d rejected", result.stored, len(result.rejected))
        return len(batch)
