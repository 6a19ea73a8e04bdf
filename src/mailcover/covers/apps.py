from django.apps import AppConfig


class CoversConfig(AppConfig):
    name = "mailcover.covers"
    label = "covers"
    verbose_name = "Mail covers"
