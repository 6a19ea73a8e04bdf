"""`mailcover serve`: the WSGI app under gunicorn, a production-grade server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

# A worker silent this long is killed and replaced; then this long to finish on shutdown.
# MAILCOVER_IDEMPOTENCY_PENDING_SECONDS must be longer than both together (a test holds it).
REQUEST_TIMEOUT_SECONDS = 60
GRACEFUL_TIMEOUT_SECONDS = 10


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
            "timeout": REQUEST_TIMEOUT_SECONDS,
            "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        }
    ).run()
    return 0
