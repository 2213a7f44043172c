from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "smartcity.notifications"
    verbose_name = "Benachrichtigungen"
