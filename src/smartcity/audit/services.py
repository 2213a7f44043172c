"""The only way to write the audit log."""

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
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
    label = user.get_username() if user else (actor if isinstance(actor, str) else "system")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(created_at=timezone.now(), actor=user, actor_label=label, action=action,
                       object_type=object_type, object_id=str(object_id), details=details)
    payload = canonical(_payload(event))  # built before the head is locked, so the lock is held as briefly as possible
    # No savepoint: inside a caller's transaction a failure here aborts that transaction anyway. The head row stays
    # locked until the caller commits, so events are chained (and numbered) in commit order.
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql" or not _append_postgres(event, payload):
            _append(event, payload)
    return event


def _append(event: AuditEvent, payload: str) -> None:
    head = ChainHead.objects.select_for_update().get_or_create(pk=1)[0]
    event.prev_hash, event.hash = head.last_hash, chain_hash(head.last_hash, payload)
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_hash=event.hash)


# One statement per event: lock the head, move it to sha256(previous hash + payload) – computed by PostgreSQL exactly
# as chain.chain_hash does (UTF-8, lower-case hex) – and insert the event with both hashes (columns as in migration
# 0001). The locking subquery returns the head as committed when the lock was granted and the UPDATE re-checks the row
# it changes, so a writer that waited for the lock chains onto the event that held it: the chain never forks.
_APPEND = (
    "WITH head AS (UPDATE audit_chainhead AS h SET last_hash = encode(sha256(convert_to(old.last_hash || %s, "
    "'UTF8')), 'hex') FROM (SELECT id, last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE) AS old "
    "WHERE h.id = old.id RETURNING old.last_hash AS prev_hash, h.last_hash AS hash), "
    "event AS (INSERT INTO audit_auditevent (created_at, actor_id, actor_label, action, object_type, object_id, "
    "details, prev_hash, hash) SELECT %s::timestamptz, %s::bigint, %s, %s, %s, %s, %s::jsonb, prev_hash, hash "
    "FROM head RETURNING id, prev_hash, hash) SELECT id, prev_hash, hash FROM event")


def _append_postgres(event: AuditEvent, payload: str) -> bool:
    """One round trip per event instead of five ORM queries: every state change of the platform passes through
    here. False when there is no head row yet (the first event of a new database)."""
    details = AuditEvent._meta.get_field("details").get_db_prep_save(event.details, connection)
    with connection.cursor() as cursor:
        cursor.execute(_APPEND, [payload, event.created_at, event.actor_id, event.actor_label, event.action,
                                 event.object_type, event.object_id, details])
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk, event.prev_hash, event.hash = row
    event._state.adding, event._state.db = False, connection.alias
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
