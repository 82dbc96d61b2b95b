"""Camera frames and page images as Kivy textures (downscaled: a preview needs no 8 MP).

Pillow, not OpenCV: OpenCV's libraries would cost the app ~50 MB resident for a resize
and a JPEG decode (the scan worker, which needs OpenCV, is another process).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from kivy.graphics.texture import Texture
from PIL import Image

if TYPE_CHECKING:
    import numpy as np


def _texture(image: Image.Image, max_width: int) -> Texture:
    if image.width > max_width:
        size = (max_width, max(1, round(image.height * max_width / image.width)))
        image = image.resize(size, Image.Resampling.BOX)
    image = image.convert("RGB").transpose(Image.Transpose.FLIP_TOP_BOTTOM)  # GL rows go up
    texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


def texture_of(image: np.ndarray, max_width: int = 640) -> Texture:
    """A camera frame (BGR or gray array) as a texture at most ``max_width`` wide."""
    if image.ndim == 2:
        return _texture(Image.fromarray(image, "L"), max_width)
    return _texture(Image.fromarray(image[:, :, 2::-1].copy(), "RGB"), max_width)  # BGR → RGB


def texture_of_file(data: bytes, max_width: int = 200) -> Texture | None:
    """A stored page image (JPEG, PNG, WebP…) as a small texture; None if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max_width, max_width * 4))  # JPEG: decode at a fraction of the size
            return _texture(image.convert("RGB"), max_width)
    except OSError:
        return None
