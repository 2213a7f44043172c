from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "smartcity.backoffice"
    verbose_name = "Backoffice"
