"""The kiosk API blueprint (``/api/v1``), see docs/sync-protocol.md."""

from __future__ import annotations

from flask import Blueprint, Flask

from shared_schema.protocol import API_PREFIX

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

from . import feedback_views, io, params, public_views, sync_views  # noqa: E402,F401  (register routes and hooks)


def init_app(app: Flask) -> None:
    app.url_map.converters["blob"] = params.BlobSegment  # before the blueprint's rules are added
    app.register_blueprint(bp)
    # app-wide, so it also guards the workspace's kiosk routes and URLs no route matches
    app.before_request(params.check_url)
