from django.apps import AppConfig


class EformsConfig(AppConfig):
    name = "smartcity.eforms"
    verbose_name = "Online-Anträge"

    def ready(self) -> None:
        from smartcity.payments import handlers

        from . import services

        handlers.register(services.PAYMENT_SUBJECT, on_paid=services.on_paid, on_failed=services.on_failed)
