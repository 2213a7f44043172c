from django.apps import AppConfig


class AirqualityConfig(AppConfig):
    name = "smartcity.airquality"
    verbose_name = "Luftqualität"
