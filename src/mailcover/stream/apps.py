from django.apps import AppConfig


class StreamConfig(AppConfig):
    name = "mailcover.stream"
    label = "stream"

    def ready(self) -> None:
        from mailcover.stream import notices

        notices.connect()
