from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "smartcity.catalogue"
    verbose_name = "Leistungskatalog"

    def ready(self) -> None:
        from . import signals  # noqa: F401
