"""The catalog as the kiosk knows it: the last one fetched, else the packaged demo.

A fetched catalog replaces the cache only after it validated against shared_schema, so a
broken download (or a portal's HTML page) can never leave a kiosk without matters. The
ETag makes an unchanged catalog cost one small round trip.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from pathlib import Path

from shared_schema import Catalog, SchemaError
from shared_schema.catalog import CATALOG_FORMAT

from ..store.fsutil import atomic_write
from .client import ApiClient
from .errors import TransientError

CACHE_FILE = "catalog/catalog.json"


@functools.cache
def packaged_catalog() -> Catalog:
    """The demo catalog shipped in the package (once per process; a JSON snapshot, not YAML)."""
    from ..catalog_snapshot import packaged_catalog_fast

    return packaged_catalog_fast()


class CatalogCache:
    def __init__(self, home: Path) -> None:
        self.path = Path(home) / CACHE_FILE
        self._loaded: tuple[float, Catalog, str | None] | None = None

    def _read(self) -> tuple[Catalog, str | None] | None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        if self._loaded and self._loaded[0] == mtime:
            return self._loaded[1], self._loaded[2]
        data = json.loads(self.path.read_text(encoding="utf-8"))
        catalog = Catalog.parse(data["catalog"], source=str(self.path))
        self._loaded = (mtime, catalog, data.get("etag"))
        return catalog, data.get("etag")

    def current(self) -> Catalog:
        """The cached catalog, or the packaged demo catalog before the first sync."""
        cached = self._read()
        return cached[0] if cached else packaged_catalog()

    @property
    def source(self) -> str:
        return "cache" if self.path.exists() else "packaged demo"

    @property
    def etag(self) -> str | None:
        cached = self._read()
        return cached[1] if cached else None

    def version(self) -> str:
        return self.current().version.version

    def store(self, catalog: Catalog, etag: str | None) -> None:
        body = {"etag": etag, "fetched_at": datetime.now(UTC).isoformat(), "catalog": catalog.to_json_dict()}
        atomic_write(self.path, json.dumps(body, ensure_ascii=False).encode("utf-8"), mode=0o644)

    def refresh(self, client: ApiClient) -> bool:
        """Fetch if changed; True when a new catalog was stored."""
        headers = {"If-None-Match": self.etag} if self.path.exists() and self.etag else {}
        answer = client.call("GET", "/catalog", headers=headers, params={"format": CATALOG_FORMAT})
        if answer.status == 304:
            return False
        try:
            catalog = Catalog.parse(answer.body, source="GET /catalog")
        except SchemaError as exc:
            raise TransientError(f"server catalog does not validate; cache kept: {exc}") from None
        self.store(catalog, answer.headers.get("ETag"))
        return True
