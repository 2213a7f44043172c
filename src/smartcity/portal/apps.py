from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "smartcity.portal"
    verbose_name = "Meine Anträge"
