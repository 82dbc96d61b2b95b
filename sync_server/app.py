"""Application factory: ``create_app(test_config=None)``.

Each part registers itself through its ``init_app``: database, blob store, error
handlers, the kiosk API. The department workspace (issue 6) adds its blueprint here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import blobstore, db, errors, holidays, proxies, rectification
from .api import init_app as init_api
from .config import load_config
from .online import init_app as init_online
from .url_rules import TongbanFlask
from .workspace import init_app as init_workspace


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = TongbanFlask(__name__)  # URL builders compiled once per process, not per app
    app.config.from_mapping(load_config(test_config))
    rectification.check_settings(app.config)  # a bad time limit stops the start, not a rating
    proxies.init_app(app)  # PROXY_HOPS: client addresses behind a balancer
    db.init_app(app)
    blobstore.init_app(app)
    errors.init_app(app)
    holidays.init_app(app)  # each app's working-day calendar, kept fresh
    init_api(app)
    init_workspace(app)
    init_online(app)  # the residents' online zone (issue 15)
    return app
