from django.apps import AppConfig


class ParkingAppConfig(AppConfig):
    name = "smartcity.parking"
    verbose_name = "Bewohnerparken"

    def ready(self) -> None:
        from . import zones  # noqa: F401  (signals that invalidate the spatial index)
