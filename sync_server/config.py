"""Where the server keeps its data and how it behaves, from defaults, file and environment.

Precedence (later wins): built-in defaults under the server home → a TOML file
(``$TONGBAN_SERVER_CONFIG``, else ``<home>/server.toml`` when present) → environment
(``TONGBAN_SERVER_DB``, ``TONGBAN_SCAN_QUEUE``) → ``test_config`` / CLI options. Keys are upper-case Flask
config keys, e.g. ``DATABASE_URL = "postgresql+psycopg://…"``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from tongban_cli.common import resolve_home

from .db import normalize_url

MB = 1024 * 1024


def defaults(home: Path) -> dict[str, Any]:
    """The embedded setup: SQLite file and local blob folder under the server home."""
    return {
        "HOME": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'server.db'}",
        "BLOB_DIR": str(home / "blobs"),
        # A whole request (the largest is a manifest or one page) …
        "MAX_CONTENT_LENGTH": 32 * MB,
        # … and one page blob (PageRecord.size allows up to 20 MB).
        "MAX_BLOB_BYTES": 20_000_000,
        # A client that sends no body bytes for this long is cut off (408); a slow upload
        # that keeps moving may take as long as it needs (`tongban server run --timeout`).
        "BODY_IDLE_TIMEOUT": 60,
        # Upload files untouched this long were left by a killed server and are removed at
        # start; far longer than BODY_IDLE_TIMEOUT, so no live upload is ever touched.
        "BLOB_TMP_MAX_AGE": 3600,
        "ENROLLMENT_TTL_SECONDS": 24 * 3600,
        # How long a verified kiosk secret is trusted without a database look-up (0: look
        # up every request); a revocation reaches every worker of every node within
        # REVOCATION_CHECK_SECONDS whatever this is (see auth_cache).
        "AUTH_CACHE_SECONDS": 600,
        "REVOCATION_CHECK_SECONDS": 2.0,
        # SQLAlchemy pool per engine; `tongban server run` raises it to its threads per
        # worker so no request waits for, or churns, a connection.
        "DB_POOL_SIZE": 5,
        "FEED_PAGE_LIMIT": 500,
        # Online 补正 lookups (receipt + ID number) one kiosk may make per hour.
        "SUPPLEMENT_LOOKUPS_PER_HOUR": 20,
        # Feedback numbers one kiosk may ask answers for per minute (a resident types one;
        # a kiosk walking the number space is stopped): 429 with Retry-After past it.
        "FEEDBACK_LOOKUPS_PER_MINUTE": 10,
        # How long the grant of a successful lookup lets that kiosk send the supplement:
        # it is taken right after the lookup, so this only covers a sync delayed by an
        # outage (a weekend's); after it the resident looks the case up again.
        "SUPPLEMENT_GRANT_SECONDS": 72 * 3600,
        "MAX_MISSING_QUERY": 5000,
        "CATALOG_DIR": None,
        "JSON_AS_ASCII": False,
        # Server-side page scans (online channel): Huey on a SQLite file by default; a
        # redis://… URL lets scan workers on other machines share the queue (docs/deploy.md).
        "SCAN_QUEUE_URL": f"sqlite:///{home / 'scan_queue.db'}",
        "SCAN_QUEUE_NAME": "tongban-scan",  # prefixes the queue's keys in a shared Redis
        # A scanning worker renews its job's lease; a job whose lease ran out (its worker
        # died) is queued again, at most SCAN_MAX_ATTEMPTS times in all.
        "SCAN_LEASE_SECONDS": 60,
        "SCAN_MAX_ATTEMPTS": 3,
        # A job no worker took this long after it was sent is sent again (its queue message
        # was lost); set it above the longest wait a backlog can cause (docs/deploy.md).
        "SCAN_RESEND_AFTER_SECONDS": 600,
    }


def load_config(test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, file, environment and explicit settings into one dict."""
    explicit = dict(test_config or {})
    home = Path(explicit.get("HOME") or resolve_home(None, "server"))
    home.mkdir(parents=True, exist_ok=True)
    config = defaults(home)
    file_path = os.environ.get("TONGBAN_SERVER_CONFIG") or str(home / "server.toml")
    if Path(file_path).is_file():
        with open(file_path, "rb") as fh:
            config.update({k.upper(): v for k, v in tomllib.load(fh).items()})
    if os.environ.get("TONGBAN_SERVER_DB"):
        config["DATABASE_URL"] = os.environ["TONGBAN_SERVER_DB"]
    if os.environ.get("TONGBAN_SCAN_QUEUE"):
        config["SCAN_QUEUE_URL"] = os.environ["TONGBAN_SCAN_QUEUE"]
    config.update({k: v for k, v in explicit.items() if v is not None})
    config["DATABASE_URL"] = normalize_url(str(config["DATABASE_URL"]))
    return config


def whole_number(key: str, value: Any, low: int, high: int, unit: str = "") -> int:
    """A setting that must be a whole number within bounds (a TOML string or a bool is
    not): checked at start-up, so a bad value stops the server instead of answering 500s."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number{unit} from {low} to {high}, not {value!r}")
    return value
