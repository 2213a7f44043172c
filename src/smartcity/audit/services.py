"""The only way to write the audit log."""

from functools import lru_cache
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS, canonical, chain_hash, event_hash
from .models import AuditEvent, ChainHead


def _payload(event: AuditEvent) -> dict[str, Any]:
    # actor_id is left out: it becomes NULL when an account is deleted; the label stays.
    return {
        "created_at": event.created_at.isoformat(),
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
    }


def record(actor: Any, action: str, obj: models.Model | None = None, *, object_type: str = "",
           object_id: str = "", **details: Any) -> AuditEvent:
    """Append one event. ``actor`` is a user, None (system) or a label such as "system:parking"."""
    return append([new_event(actor, action, obj, object_type=object_type, object_id=object_id, **details)])[0]


def new_event(actor: Any, action: str, obj: models.Model | None = None, *, object_type: str = "",
              object_id: str = "", **details: Any) -> AuditEvent:
    """An event as ``record`` would write it (its time is now), not yet appended: for ``append``."""
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
    label = user.get_username() if user else (actor if isinstance(actor, str) else "system")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent(created_at=timezone.now(), actor=user, actor_label=label, action=action,
                      object_type=object_type, object_id=str(object_id), details=details)


def append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events made by ``new_event``, in this order, chained as one ``record`` after the other would chain them.
    On PostgreSQL all of them in one statement: a service that writes several events in one transaction appends
    them together at its end, so the chain head is locked for one statement and the commit only (ADR 0021)."""
    # The canonical JSON is built before the head is locked, so the lock is held as briefly as possible.
    payloads = [canonical(_payload(e)) for e in events]
    # No savepoint: inside a caller's transaction a failure here aborts that transaction anyway. The head row stays
    # locked until the caller commits, so events are chained (and numbered) in commit order.
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql" or not _append_postgres(events, payloads):
            for e, payload in zip(events, payloads, strict=True):
                _append(e, payload)
    return events


def _append(event: AuditEvent, payload: str) -> None:
    head = ChainHead.objects.select_for_update().get_or_create(pk=1)[0]
    event.prev_hash, event.hash = head.last_hash, chain_hash(head.last_hash, payload)
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_hash=event.hash)


def _sha(previous: str) -> str:
    """hash = sha256(previous hash ‖ payload), computed by PostgreSQL exactly as chain.chain_hash does (UTF-8,
    lower-case hex)."""
    return f"encode(sha256(convert_to({previous} || %s, 'UTF8')), 'hex')"


@lru_cache(maxsize=16)
def _append_sql(count: int) -> str:
    """One statement for ``count`` events: lock the head, chain the events' hashes onto it one after the other, move
    the head to the last hash and insert the events with theirs (columns as in migration 0001), in chain order. The
    locking subquery returns the head as committed when the lock was granted and the UPDATE re-checks the row it
    changes, so a writer that waited for the lock chains onto the event that held it: the chain never forks."""
    chained = " ".join(f"CROSS JOIN LATERAL (SELECT {_sha('old.last_hash' if i == 1 else f'c{i - 1}.h')} AS h) AS c{i}"
                       for i in range(1, count + 1))
    hashes = ", ".join(["old.last_hash", *(f"c{i}.h" for i in range(1, count + 1))])
    rows = ", ".join(f"({i}, %s::timestamptz, %s::bigint, %s, %s, %s, %s, %s::jsonb)" for i in range(1, count + 1))
    # Only numbers are formatted into the text; every value is a parameter.
    return (f"WITH head AS (UPDATE audit_chainhead AS t SET last_hash = c{count}.h FROM (SELECT id, last_hash FROM "  # noqa: S608
            f"audit_chainhead WHERE id = 1 FOR UPDATE) AS old {chained} WHERE t.id = old.id RETURNING ARRAY[{hashes}] "
            "AS hashes), event AS (INSERT INTO audit_auditevent (created_at, actor_id, actor_label, action, "
            "object_type, object_id, details, prev_hash, hash) SELECT v.created_at, v.actor_id, v.actor_label, "
            "v.action, v.object_type, v.object_id, v.details, head.hashes[v.n], head.hashes[v.n + 1] FROM head "
            f"CROSS JOIN (VALUES {rows}) AS v (n, created_at, actor_id, actor_label, action, object_type, object_id, "
            "details) ORDER BY v.n RETURNING id, prev_hash, hash) SELECT id, prev_hash, hash FROM event ORDER BY id")


def _append_postgres(events: list[AuditEvent], payloads: list[str]) -> bool:
    """One round trip for the events instead of five ORM queries each: every state change of the platform passes
    through here. False when there is no head row yet (the first event of a new database)."""
    details = AuditEvent._meta.get_field("details")
    params: list[Any] = list(payloads)
    for e in events:
        params += [e.created_at, e.actor_id, e.actor_label, e.action, e.object_type, e.object_id,
                   details.get_db_prep_save(e.details, connection)]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(len(events)), params)
        rows = cursor.fetchall()
    if not rows:
        return False
    for e, (pk, prev_hash, hash_) in zip(events, rows, strict=True):
        e.pk, e.prev_hash, e.hash = pk, prev_hash, hash_
        e._state.adding, e._state.db = False, connection.alias
    return True


def verify_chain() -> tuple[bool, int, int | None]:
    """Return (intact, events checked, id of the first broken event or None)."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.hash != event_hash(prev, _payload(event)):
            return False, checked, event.id
        prev = event.hash
        checked += 1
    return True, checked, None
