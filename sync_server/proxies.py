"""The client's address as the balancer saw it, for per-client budgets and the audit log.

Behind a reverse proxy or a load balancer every request comes from the proxy's address,
so a per-address budget (the verification page) would be one budget for the whole city.
``PROXY_HOPS`` (default 0: clients connect directly) is how many proxies in front of the
node append to ``X-Forwarded-For`` / set ``X-Forwarded-Proto``; werkzeug's ``ProxyFix``
then takes the address the outermost trusted proxy saw. It trusts exactly that many
entries from the right, so a client cannot choose its address by sending the header
itself. Set it only when every request really passes those proxies (docs/deploy.md).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import whole_number

MAX_HOPS = 5


def init_app(app: Flask) -> None:
    hops = whole_number("PROXY_HOPS", app.config.setdefault("PROXY_HOPS", 0), 0, MAX_HOPS)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
