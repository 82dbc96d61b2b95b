"""Camera frames and page images as Kivy textures (downscaled: a preview needs no 8 MP).

Pillow, not OpenCV: OpenCV's libraries would cost the app ~50 MB resident for a resize
and a JPEG decode (the scan worker, which needs OpenCV, is another process).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.graphics.texture import Texture
from PIL import Image, ImageOps

from ..hardware.camera import Still

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


def texture_of(image: Still | np.ndarray, max_width: int = 640) -> Texture | None:
    """A camera frame (a still's file, or a BGR or gray array) as a texture at most
    ``max_width`` wide; None if the file cannot be read."""
    if isinstance(image, Still):
        return _texture_of_path(image.path, max_width)
    if image.ndim == 2:
        return _texture(Image.fromarray(image, "L"), max_width)
    return _texture(Image.fromarray(image[:, :, 2::-1].copy(), "RGB"), max_width)  # BGR → RGB


def texture_of_file(data: bytes, max_width: int = 200) -> Texture | None:
    """A stored page image (JPEG, PNG, WebP…) as a small texture; None if unreadable."""
    return _texture_of_path(io.BytesIO(data), max_width)


def _texture_of_path(source: Path | io.BytesIO, max_width: int) -> Texture | None:
    try:
        with Image.open(source) as image:
            wanted = (max_width, max(1, max_width * image.height // max(1, image.width)))
            image.draft("RGB", wanted)  # JPEG: decode at 1/2, 1/4 or 1/8 of the size, still ≥ wanted
            return _texture(ImageOps.exif_transpose(image).convert("RGB"), max_width)
    except OSError:
        return None
