from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smartcity.accounts"
    verbose_name = "Konten und Rollen"

    def ready(self) -> None:
        # Registering the bundled login providers; a deployment's own providers register the same way.
        from .plugins.contrib.bundid_simulator import plugin as _bundid  # noqa: F401
        from .plugins.contrib.local import plugin as _local  # noqa: F401
        from .signals import connect

        connect()

