"""The receipt number's QR code as a texture, made straight from its modules.

Not through a PNG: Kivy's loading of an in-memory image asks Pillow for every format it
knows, which imports all of Pillow's plugins into the app (~2.5 MB, kept for good).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:
    from kivy.graphics.texture import Texture


def qr_luminance(payload: str, scale: int = 8, border: int = 2) -> tuple[int, bytes]:
    """The code's side in pixels and its grey pixels, top row first (dark 0, light 255)."""
    matrix = segno.make(payload, error="m").matrix
    side = len(matrix) + 2 * border
    quiet = [255] * border
    lines = [[255] * side] * border
    lines += [quiet + [0 if dark else 255 for dark in row] + quiet for row in matrix]
    lines += [[255] * side] * border
    data = bytearray()
    for line in lines:
        wide = bytes(v for v in line for _ in range(scale))
        data += wide * scale
    return side * scale, bytes(data)


def qr_texture(payload: str) -> Texture:
    from kivy.graphics.texture import Texture

    side, data = qr_luminance(payload)
    texture = Texture.create(size=(side, side), colorfmt="luminance")
    texture.blit_buffer(data, colorfmt="luminance", bufferfmt="ubyte")
    texture.flip_vertical()  # GL's rows go up
    texture.mag_filter = "nearest"
    return texture
