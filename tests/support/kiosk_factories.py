"""Kiosk-side builders shared by tests and benchmarks: pages, applicants, finalized
submissions made through the public store API (draft → pages → finalize)."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime

from PIL import Image

from kiosk.store import Drafts, KioskStore
from shared_schema import CompletenessResult, Promise
from shared_schema.forms import PROMISE_TEMPLATE
from tests.server.factories import id_number

MATTER = "JC-RS-001"  # packaged demo catalog: 城乡居民基本养老保险参保登记 (home acceptance)
STATION = "CQ0100"
HOME_DIVISION = "140502"
MATERIALS = [
    ("id_card_front", "申请人居民身份证（人像面）"),
    ("id_card_back", "申请人居民身份证（国徽面）"),
    ("household_register", "居民户口簿（户主页及本人页）"),
    ("registration_form", "城乡居民基本养老保险参保登记表"),
]


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


def finalize_one(
    store: KioskStore,
    seed: int = 1,
    pages: int = 2,
    page_size: tuple[int, int] = (120, 90),
    page_data: list[bytes] | None = None,
) -> str:
    """Draft → pages → applicant → finalize through the public API; returns the client UUID."""
    drafts = Drafts(store)
    draft = drafts.create(MATTER, "2024.06.01")
    blobs = page_data or [jpeg_page(seed * 100 + i, page_size) for i in range(pages)]
    for i, data in enumerate(blobs):
        code, name = MATERIALS[min(i, len(MATERIALS) - 1)]
        drafts.add_page(draft.client_uuid, code, name, data, content_type="image/jpeg",
                        width=page_size[0], height=page_size[1])  # fmt: skip
    drafts.update(draft.client_uuid, applicant=applicant(seed), delivery={"method": "pickup"})
    now = datetime.now(UTC)
    text = PROMISE_TEMPLATE.format(department="城区人社局", matter="参保登记")
    promise = Promise(text=text, confirmed=True, confirmed_at=now)
    drafts.finalize(draft.client_uuid, CompletenessResult(complete=True), promise)
    return draft.client_uuid
