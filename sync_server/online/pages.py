"""A finished upload becomes page images in the blob store, each queued for a scan.

The file is decoded the way the kiosk decodes a resident's USB stick
(``kiosk.scan.sources.load_file``): format sniffed, pixel counts checked before decoding
(decompression bombs refused, Pillow's own limit raised to an error), PDFs rasterised
page by page at 200 dpi with a page and pixel budget, every refusal a Chinese message.
A single JPEG, PNG or WebP photo is kept as sent; other pages (PDF, TIFF, BMP) are
stored as JPEG. Decoding happens in the web worker (it is bounded); reading the page —
the scan — is a job for the scan workers (``scan_jobs.submit_page_scan``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
from sqlalchemy.orm import Session

from kiosk.scan.sources import load_file, sniff

from ..blobstore import BlobStore
from ..scan_jobs import submit_page_scan
from ..workspace.errors import WorkspaceError

KEPT_AS_SENT = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
JPEG_QUALITY = 90


@dataclass(frozen=True)
class StoredPage:
    sha256: str
    content_type: str
    size: int
    width: int
    height: int


def owner_of(phone: str) -> str:
    """The scan-job owner for a resident: jobs of one phone are invisible to every other."""
    return f"online:{phone}"


def store_pages(path: Path, store: BlobStore, max_bytes: int) -> list[StoredPage]:
    """Every page of the uploaded file, stored; raises (422) with the reason for the resident."""
    loaded = load_file(path)
    if not isinstance(loaded, list):
        raise WorkspaceError(f"upload refused: {loaded.code}", loaded.message, 422)
    with path.open("rb") as fh:
        kind = sniff(fh.read(16))
    pages = []
    for capture in loaded:
        height, width = capture.image.shape[:2]
        if len(loaded) == 1 and kind in KEPT_AS_SENT:
            data, content_type = path.read_bytes(), KEPT_AS_SENT[kind]
        else:
            ok, encoded = cv2.imencode(".jpg", capture.image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise WorkspaceError("page could not be encoded", "文件无法读取，请重新选择文件", 422)
            data, content_type = encoded.tobytes(), "image/jpeg"
        sha = hashlib.sha256(data).hexdigest()
        store.put(sha, [data], max_bytes)
        pages.append(StoredPage(sha, content_type, len(data), width, height))
    return pages


def queue_scans(session: Session, phone: str, pages: list[StoredPage], hint: str | None) -> list[str]:
    """One scan job per page (the same page again is the same job); queued after commit."""
    owner = owner_of(phone)
    return [submit_page_scan(session, owner=owner, blob_sha256=p.sha256, material_hint=hint) for p in pages]
