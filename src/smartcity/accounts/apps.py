from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AccountsConfig(AppConfig):
    name = "smartcity.accounts"
    verbose_name = "Konten und Rollen"

    def ready(self) -> None:
        # Registering the bundled login providers; a deployment's own providers register the same way.
        from .plugins.contrib.bundid_simulator import plugin as _bundid  # noqa: F401
        from .plugins.contrib.local import plugin as _local  # noqa: F401


class SmartCityAdminConfig(AdminConfig):
    """Django admin whose site demands a TOTP-verified session (see admin_site.py)."""

    default_site = "smartcity.accounts.admin_site.SmartCityAdminSite"
