"""A signature written on the kiosk's touch screen (签收): the strokes as drawn, bounded.

The recipient of a result may sign at the handover (optional, issue 11 §3). The kiosk
keeps the strokes (not a picture): small, exact, sealed with the handover record, and
the server draws them into the flow card (附录 D) as the 签收 image. Coordinates are
pixels of the pad, origin top left, y downwards (as in an image).
"""

from __future__ import annotations

import io
from typing import Annotated

from pydantic import Field, model_validator

from .base import SchemaModel

MAX_SIDE = 4096  # pixels of the pad: larger than any kiosk screen
MAX_STROKES = 64
MAX_POINTS = 1024  # per stroke: a finger sampled at 60 Hz for 17 s

Coordinate = Annotated[int, Field(ge=0, le=MAX_SIDE)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2, description="[x, y]")]
Stroke = Annotated[list[Point], Field(min_length=1, max_length=MAX_POINTS)]


class Signature(SchemaModel):
    """Strokes on a ``width`` × ``height`` pad."""

    width: int = Field(ge=1, le=MAX_SIDE)
    height: int = Field(ge=1, le=MAX_SIDE)
    strokes: list[Stroke] = Field(min_length=1, max_length=MAX_STROKES)  # [[[x, y], …], …]

    @model_validator(mode="after")
    def _inside_the_pad(self) -> Signature:
        if any(x > self.width or y > self.height for stroke in self.strokes for x, y in stroke):
            raise ValueError("a point lies outside the pad")
        return self

    def points(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)


def signature_png(signature: Signature, width: int = 600) -> bytes:
    """The signature drawn black on white, ``width`` pixels wide (for a PDF)."""
    from PIL import Image, ImageDraw

    scale = width / signature.width
    size = (width, max(1, round(signature.height * scale)))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    pen = max(2, round(4 * scale))
    for stroke in signature.strokes:
        points = [(x * scale, y * scale) for x, y in stroke]
        if len(points) == 1:
            (x, y) = points[0]
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=0)
        else:
            draw.line(points, fill=0, width=pen, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
