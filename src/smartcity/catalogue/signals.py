from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Category, Service
from .search import note_catalogue_change


@receiver(m2m_changed, sender=Service.categories.through)
def reindex_after_category_change(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        if isinstance(instance, Service):
            instance.save(update_fields=["search_text"])
        note_catalogue_change()  # also when a Lebenslage's services were changed from its side


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def catalogue_changed(sender, **kwargs) -> None:
    """Cached search rankings and the Lebenslagen list belong to the catalogue version (search.py)."""
    note_catalogue_change()
