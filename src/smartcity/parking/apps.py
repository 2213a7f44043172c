from django.apps import AppConfig


class ParkingAppConfig(AppConfig):
    name = "smartcity.parking"
    verbose_name = "Bewohnerparken"

    def ready(self) -> None:
        from . import hooks, zones  # noqa: F401  (zones: signals that invalidate the spatial index)

        hooks.connect()
        self._register_open_data()

    @staticmethod
    def _register_open_data() -> None:
        from smartcity.opendata import publishers

        from . import publication

        publishers.register("parking-zones", publication.zones_publication, dataset=publication.ZONES_DATASET)
        publishers.register("parking-permit-statistics", publication.statistics_publication,
                            dataset=publication.STATISTICS_DATASET)
