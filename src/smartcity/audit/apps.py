from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "smartcity.audit"
    verbose_name = "Audit-Protokoll"
