"""`mailcover serve`: the WSGI app under gunicorn, a production-grade server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Imported here, after any collectstatic, so WhiteNoise indexes the built files.
        from mailcover.config.wsgi import application

        return application


def run(host: str, port: int, workers: int) -> int:
    print(f"mailcover serving on http://{host}:{port}/", flush=True)
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()
    return 0
