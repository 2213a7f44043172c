from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "smartcity.opendata"
    verbose_name = "Open Data"

    def ready(self) -> None:
        from smartcity.accounts import second_factor

        from . import kpi, permissions, publishers

        publishers.register("service-kpis", kpi.publication, dataset=kpi.DATASET)
        # editors publish in the city's name and may see private datasets: second factor at login
        second_factor.register(permissions.is_member)
