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
        if connection.vendor != "postgresql":
            _append(event, payload)
        elif not _append_after_own_head(event, payload):
            _append_postgres(event, payload)
    return event


def _append(event: AuditEvent, payload: str) -> None:
    head = ChainHead.objects.select_for_update().get_or_create(pk=1)[0]
    event.prev_hash, event.hash = head.last_hash, chain_hash(head.last_hash, payload)
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_hash=event.hash)


# One statement: insert the event and move the head (columns as in migration 0001).
_INSERT_AND_MOVE_HEAD = (
    "WITH event AS (INSERT INTO audit_auditevent (created_at, actor_id, actor_label, action, object_type, object_id, "
    "details, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id) "
    "UPDATE audit_chainhead SET last_hash = %s WHERE id = 1 RETURNING (SELECT id FROM event)")


# The next event of the same transaction: move the head only if it is still the hash this connection wrote last,
# and insert the event only if the head moved (one statement; the head row stays locked until the commit).
_APPEND_IF_HEAD_IS = (
    "WITH head AS (UPDATE audit_chainhead SET last_hash = %s WHERE id = 1 AND last_hash = %s RETURNING id), "
    "event AS (INSERT INTO audit_auditevent (created_at, actor_id, actor_label, action, object_type, object_id, "
    "details, prev_hash, hash) SELECT %s::timestamptz, %s::integer, %s, %s, %s, %s, %s::jsonb, %s, %s FROM head "
    "RETURNING id) SELECT id FROM event")


def _own_head() -> str | None:
    """The hash this connection last wrote to the head inside the transaction still open, else None.

    Only a hint: ``_APPEND_IF_HEAD_IS`` checks it under the row lock, so a wrong hint costs a statement, never a
    fork. The hint belongs to the connection's list of on-commit callbacks, which Django replaces on every commit,
    rollback and savepoint rollback: a later transaction (or an undone savepoint) never sees it."""
    hint = getattr(connection, "_audit_head_hint", None)
    return hint[1] if hint is not None and hint[0] is connection.run_on_commit else None


def _remember_own_head(event_hash: str) -> None:
    connection._audit_head_hint = (connection.run_on_commit, event_hash)


def _append_after_own_head(event: AuditEvent, payload: str) -> bool:
    """One round trip instead of two for the second and later events of a transaction (issuing a permit writes
    two). False when the head is not (or no longer) this transaction's own last event."""
    prev = _own_head()
    if prev is None:
        return False
    event.prev_hash, event.hash = prev, chain_hash(prev, payload)
    details = AuditEvent._meta.get_field("details").get_db_prep_save(event.details, connection)
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_IF_HEAD_IS, [event.hash, prev, event.created_at, event.actor_id, event.actor_label,
                                            event.action, event.object_type, event.object_id, details,
                                            event.prev_hash, event.hash])
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = row[0]
    event._state.adding, event._state.db = False, connection.alias
    _remember_own_head(event.hash)
    return True


def _append_postgres(event: AuditEvent, payload: str) -> None:
    """Two round trips (lock and read the head; insert the event and move the head) instead of five ORM queries:
    every state change of the platform passes through here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE")
        row = cursor.fetchone()
        if row is None:  # first event of a new database
            _append(event, payload)
            _remember_own_head(event.hash)
            return
        event.prev_hash, event.hash = row[0], chain_hash(row[0], payload)
        details = AuditEvent._meta.get_field("details").get_db_prep_save(event.details, connection)
        cursor.execute(_INSERT_AND_MOVE_HEAD, [event.created_at, event.actor_id, event.actor_label, event.action,
                                               event.object_type, event.object_id, details, event.prev_hash,
                                               event.hash, event.hash])
        event.pk = cursor.fetchone()[0]
    event._state.adding, event._state.db = False, connection.alias
    _remember_own_head(event.hash)


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
