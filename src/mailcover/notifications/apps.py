from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mailcover.notifications"
    label = "notifications"
    verbose_name = "E-mail notifications"
