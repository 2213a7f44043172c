from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "smartcity.cases"
    verbose_name = "Vorgänge"

    def ready(self) -> None:
        from . import type_cache  # noqa: F401  (signals that invalidate the per-process case types)
