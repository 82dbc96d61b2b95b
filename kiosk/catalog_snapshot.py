"""The packaged demo catalog without parsing YAML at every kiosk start.

Reading the catalog's 27 YAML files costs about half a second of pure-Python parsing;
the validated catalog as JSON loads in a few milliseconds with ``model_validate_json``.
The snapshot is keyed by a hash of the catalog files and of the schema's model sources,
so an edited catalog or a changed model never loads stale: the YAML is read again and
the snapshot rewritten. Any problem with the snapshot falls back to the YAML.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from platformdirs import user_cache_dir

import shared_schema
from shared_schema import Catalog, load_catalog
from shared_schema.loader import demo_catalog_dir

from .store.fsutil import atomic_write

log = logging.getLogger(__name__)

MODEL_SOURCES = (
    "base.py", "catalog.py", "geography.py", "enums.py", "identifiers.py", "loader.py", "holidays.py",
)  # fmt: skip


def cache_dir() -> Path:
    return Path(os.environ.get("TONGBAN_CACHE_DIR") or user_cache_dir("tongban"))


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    schema_dir = Path(shared_schema.__file__).parent
    files = sorted(p for p in root.rglob("*") if p.is_file()) + [schema_dir / n for n in MODEL_SOURCES]
    for path in files:
        digest.update(str(path.name).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def packaged_catalog_fast() -> Catalog:
    """The packaged catalog, from the JSON snapshot when it matches the files."""
    root = demo_catalog_dir()
    key = fingerprint(root)
    path = cache_dir() / f"catalog-{root.name}.json"
    try:
        stored_key, _sep, body = path.read_bytes().partition(b"\n")
        if stored_key.decode() == key:
            return Catalog.model_validate_json(body)
    except FileNotFoundError:
        pass
    except Exception:  # a damaged snapshot is only a slower start
        log.warning("catalog snapshot %s unusable; reading the YAML", path, exc_info=True)
    catalog = load_catalog(root)
    try:
        atomic_write(path, key.encode() + b"\n" + catalog.model_dump_json().encode(), mode=0o644)
    except OSError as exc:
        log.info("catalog snapshot not written (%s)", exc)
    return catalog
