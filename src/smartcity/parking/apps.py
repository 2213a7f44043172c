from django.apps import AppConfig


class ParkingAppConfig(AppConfig):
    name = "smartcity.parking"
    verbose_name = "Bewohnerparken"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from . import hooks, zones  # noqa: F401  (zones: signals that invalidate the spatial index)
        from .plate_register import drop_before_migrate, ensure_triggers

        hooks.connect()
        pre_migrate.connect(drop_before_migrate, sender=self, dispatch_uid="parking_permit_plate_triggers_drop")
        post_migrate.connect(ensure_triggers, sender=self, dispatch_uid="parking_permit_plate_triggers")
        self._register_open_data()

    @staticmethod
    def _register_open_data() -> None:
        from smartcity.opendata import publishers

        from . import publication

        publishers.register("parking-zones", publication.zones_publication, dataset=publication.ZONES_DATASET)
        publishers.register("parking-permit-statistics", publication.statistics_publication,
                            dataset=publication.STATISTICS_DATASET)
