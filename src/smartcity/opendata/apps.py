from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "smartcity.opendata"
    verbose_name = "Open Data"

    def ready(self) -> None:
        from . import kpi, publishers

        publishers.register("service-kpis", kpi.publication, dataset=kpi.DATASET)
