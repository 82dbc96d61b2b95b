"""Phone photos of synthetic documents as JPEG bytes: what the online channel uploads.

The server's scan-queue tests and the ``scanqueue`` benchmark scan the same pages the
kiosk pipeline is measured on, from the generators beside this module.
"""

from __future__ import annotations

import cv2

from .camera import photograph, random_params
from .documents import corpus

FRAME = (1600, 1200)
JPEG_QUALITY = 90


def phone_photos(count: int, seed: int = 0) -> list[bytes]:
    """``count`` JPEG photos cycling through every document kind; the same arguments
    always give the same bytes."""
    photos = []
    for i, doc in enumerate(corpus(count, seed)):
        shot = photograph(doc.image, random_params(seed * 1000 + i, frame=FRAME), seed=seed * 1000 + i)
        ok, data = cv2.imencode(".jpg", shot.image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        photos.append(data.tobytes())
    return photos
