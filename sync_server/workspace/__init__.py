"""Department workspace (issue 6): inbox, review, time limits, results, ledger, forms.

Staff log in, decide submissions within the time limits and send results back. Views
parse and answer; the service modules decide. Imported lazily by ``init_app`` so that
``sync_server.models`` can import :mod:`.models` without pulling in Flask views.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .views_public_catalog import init_app as _init_public_catalog
    from .views_public_ratings import init_app as _init_public_ratings
    from .views_verify import init_app as _init_verify
    from .web import init_app as _init

    _init(app)
    _init_verify(app)  # the public /verify pages: no login
    _init_public_catalog(app)  # the public /public/catalog pages: no login
    _init_public_ratings(app)  # the public 好差评 results, /public/ratings: no login
