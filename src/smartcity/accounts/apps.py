from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "smartcity.accounts"
    verbose_name = "Konten und Rollen"
