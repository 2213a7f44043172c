from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "smartcity.documents"
    verbose_name = "Dokumente"
