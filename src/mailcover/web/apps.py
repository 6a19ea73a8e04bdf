from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mailcover.web"
    label = "web"
    verbose_name = "Web pages"
