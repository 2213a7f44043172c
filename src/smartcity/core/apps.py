from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "smartcity.core"
    verbose_name = "Plattform-Kern"
