"""Kiosk-side builders shared by tests and benchmarks: pages, applicants, finalized
submissions made by the path the app and ``tongban kiosk submit`` use (the visit)."""

from __future__ import annotations

import io
import os

from PIL import Image

from kiosk.store import KioskStore
from kiosk.submit_build import ApplicantFile, HeadlessSubmission, PageFile, assign_pages, submit
from kiosk.sync.catalog import CatalogCache
from shared_schema import Delivery
from tests.server.factories import id_number

MATTER = "JC-RS-001"  # packaged demo catalog: 城乡居民基本养老保险参保登记 (home acceptance)
STATION = "CQ0100"
HOME_DIVISION = "140502"


def jpeg_page(seed: int, size: tuple[int, int] = (120, 90), quality: int = 80) -> bytes:
    """A JPEG of noise (so it does not compress to nothing), different for every seed."""
    noise = os.urandom(size[0] * size[1]) if seed < 0 else _seeded(seed, size[0] * size[1])
    image = Image.frombytes("L", size, noise)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _seeded(seed: int, n: int) -> bytes:
    import random

    return random.Random(seed).randbytes(n)


def applicant(seed: int = 1) -> dict[str, str]:
    return {
        "kind": "person",
        "name": "王秀英",
        "id_number": id_number(HOME_DIVISION, serial=seed % 1000),
        "phone": "13800138000",
        "home_division": HOME_DIVISION,
    }


PARTIAL = "test submission with a partial set of pages"


def finalize_one(
    store: KioskStore,
    seed: int = 1,
    pages: int = 2,
    page_size: tuple[int, int] = (120, 90),
    page_data: list[bytes] | None = None,
    delivery: Delivery = Delivery.pickup,
    matter: str = MATTER,
    who: dict[str, str] | None = None,
) -> str:
    """A finalized submission of ``pages`` pages through the visit; returns its client UUID.

    The pages fill the matter's required materials in order; fewer than its five pages
    make an incomplete submission, queued with a recorded reason (``PARTIAL``). ``who``
    replaces the applicant (an enterprise, for a matter that accepts one)."""
    catalog = CatalogCache(store.home).current()
    blobs = page_data or [jpeg_page(seed * 100 + i, page_size) for i in range(pages)]
    loose = [PageFile.of(data, f"page {i}") for i, data in enumerate(blobs)]
    request = HeadlessSubmission(
        matter_code=matter,
        applicant=ApplicantFile.parse(who or applicant(seed)),
        pages=assign_pages(catalog.matter(matter), loose, {}),
        incomplete_reason=PARTIAL,
        delivery=delivery,
    )
    done = submit(store, store.identity(), catalog, request)
    return str(done.manifest.client_uuid)
