from django.apps import AppConfig


class EformsConfig(AppConfig):
    name = "smartcity.eforms"
    verbose_name = "Online-Anträge"
