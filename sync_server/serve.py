"""``tongban server run``: gunicorn with N threaded workers, each building its own app after fork.

Threaded (``gthread``) workers, not the default ``sync`` ones: a sync worker is killed
once one request has run for ``--timeout`` seconds, so a page upload over a slow village
link (or a kiosk's bandwidth cap) would be cut off every time and never complete. A
threaded worker only has to show it is alive; one request may take as long as its body
keeps moving, and a body that stalls for ``--timeout`` seconds is answered 408
(``BODY_IDLE_TIMEOUT``, see ``api/io.py``). Threads also keep connections alive between
a kiosk's requests.

The Flask development server (``--dev``) is for debugging only: one process, no
protection against slow clients, no worker restarts.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

DEFAULT_THREADS = 4
DEFAULT_TIMEOUT = 60


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


def gunicorn_options(bind: str, workers: int, threads: int, timeout: int) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        # gunicorn's longest request line (its own limit, answered with its own HTML 414 past
        # it), above the app's MAX_URL_BYTES so the app answers long API URLs with JSON
        "limit_request_line": 8190,
        "accesslog": "-",
        # the default access format logs the query string, which holds no personal data here
    }


def worker_config(app_config: dict[str, Any], threads: int, timeout: int) -> dict[str, Any]:
    """The app config of each worker: a database pool of at least one connection per
    thread (a smaller one makes threads wait, or churn PostgreSQL sessions, under load)."""
    pool = max(threads, app_config.get("DB_POOL_SIZE") or 0)
    return {**app_config, "BODY_IDLE_TIMEOUT": timeout, "DB_POOL_SIZE": pool}


def run_gunicorn(
    app_config: dict[str, Any],
    bind: str,
    workers: int,
    threads: int = DEFAULT_THREADS,
    timeout: int = DEFAULT_TIMEOUT,
) -> None:
    config = worker_config(app_config, threads, timeout)
    GunicornServer(config, gunicorn_options(bind, workers, threads, timeout)).run()
