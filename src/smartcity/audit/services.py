"""The only way to write the audit log."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS, event_hash
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
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(created_at=timezone.now(), actor=user, actor_label=label, action=action,
                           object_type=object_type, object_id=str(object_id), details=details,
                           prev_hash=head.last_hash)
        event.hash = event_hash(head.last_hash, _payload(event))
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


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
