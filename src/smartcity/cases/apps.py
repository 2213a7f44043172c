from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "smartcity.cases"
    verbose_name = "Vorgänge"
