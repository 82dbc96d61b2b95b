"""The online channel (网上专区, standard §7): residents apply and follow cases from a phone.

One pipeline, two doors: an online application becomes a ``SubmissionManifest`` with
channel ``online`` and is ingested, routed and decided exactly like a kiosk's. This
package holds only the resident-facing pages; ``init_app`` imports the views lazily so
``sync_server.online.models`` can be imported (Alembic) without Flask views.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("online", __name__, url_prefix="/online")


def init_app(app: Flask) -> None:
    from .web import init_app as _init

    _init(app)
