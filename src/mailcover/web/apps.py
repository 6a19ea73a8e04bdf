from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mailcover.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        # The start-up checks (private files, a kept secret key) and the session's start.
        from mailcover.config import checks  # noqa: F401
        from mailcover.web import http  # noqa: F401
