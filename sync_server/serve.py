"""``tongban server run``: gunicorn with N workers, each building its own app after fork.

The Flask development server (``--dev``) is for debugging only: one process, no
protection against slow clients, no worker restarts.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """Runs ``create_app(app_config)`` in every worker (no preload: engines must not cross a fork)."""

    def __init__(self, app_config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from .app import create_app

        return create_app(self.app_config)


def run_gunicorn(app_config: dict[str, Any], bind: str, workers: int, timeout: int = 60) -> None:
    options = {
        "bind": bind,
        "workers": workers,
        "timeout": timeout,
        "graceful_timeout": 10,
        "accesslog": "-",
        # the default access format logs the query string, which holds no personal data here
        "worker_class": "sync",
    }
    GunicornServer(app_config, options).run()
