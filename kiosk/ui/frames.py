"""Camera frames and page images as Kivy textures (downscaled: a preview needs no 8 MP)."""

from __future__ import annotations

import cv2
import numpy as np
from kivy.graphics.texture import Texture


def texture_of(image: np.ndarray, max_width: int = 640) -> Texture:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    if w > max_width:
        image = cv2.resize(image, (max_width, int(h * max_width / w)), interpolation=cv2.INTER_AREA)
    image = np.ascontiguousarray(image[::-1])  # OpenCV rows go down, GL rows go up
    texture = Texture.create(size=(image.shape[1], image.shape[0]), colorfmt="bgr")
    texture.blit_buffer(image.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return texture


def texture_of_file(data: bytes, max_width: int = 200) -> Texture | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if image is None else texture_of(image, max_width)
