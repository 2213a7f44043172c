from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "smartcity.payments"
    verbose_name = "ePayment"

    def ready(self) -> None:
        # Provider plugins register themselves on import.
        from .contrib.simulator import plugin  # noqa: F401
