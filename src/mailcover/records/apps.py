from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "mailcover.records"
    label = "records"
    verbose_name = "Records requests"
