from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "mailcover.oversight"
    label = "oversight"
    verbose_name = "Oversight"
