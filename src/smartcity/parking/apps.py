from django.apps import AppConfig


class ParkingAppConfig(AppConfig):
    name = "smartcity.parking"
    verbose_name = "Bewohnerparken"

    def ready(self) -> None:
        from . import hooks, zones  # noqa: F401  (zones: signals that invalidate the spatial index)

        hooks.connect()
