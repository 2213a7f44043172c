from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    """Permit verification and enforcement (Kontrolle). A sub-app of parking with its own migrations, so it
    evolves independently of the application and lifecycle models it reads."""

    name = "smartcity.parking.enforcement"
    label = "parking_enforcement"
    verbose_name = "Bewohnerparken – Prüfung und Kontrolle"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from smartcity.parking.models import Permit

        from .verification import forget_revocation_list

        post_save.connect(forget_revocation_list, sender=Permit, dispatch_uid="parking-enforcement-revocations")
