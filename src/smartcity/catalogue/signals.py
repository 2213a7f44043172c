from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Service


@receiver(m2m_changed, sender=Service.categories.through)
def reindex_after_category_change(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Service):
        instance.save(update_fields=["search_text"])
