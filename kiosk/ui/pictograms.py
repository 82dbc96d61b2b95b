"""Simple pictograms for the home screen's tiles, drawn with Kivy's canvas.

No image files and no Pillow before Home is shown (launch time): each pictogram is a few
shapes in a unit square (y up), drawn in one colour with "holes" in the tile's colour.
Shapes: ``rect`` x y w h, ``disc`` cx cy r, ``ring`` cx cy r, ``line`` points,
``poly`` points (a star-shaped polygon, filled as a fan from its centre), ``frame`` x y w h.
"""

from __future__ import annotations

import math

from kivy.graphics import Color, Ellipse, Line, Mesh, Rectangle

Shape = tuple
STROKE = 0.06  # line width, as a share of the pictogram's size


def _star(points: int = 5, outer: float = 0.45, inner: float = 0.19) -> list[float]:
    out: list[float] = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = math.pi / 2 + i * math.pi / points
        out += [0.5 + r * math.cos(a), 0.5 + r * math.sin(a)]
    return out


PICTOGRAMS: dict[str, list[Shape]] = {
    "star": [("poly", _star())],
    "shield": [("poly", [0.5, 0.95, 0.85, 0.82, 0.82, 0.45, 0.5, 0.05, 0.18, 0.45, 0.15, 0.82]),
               ("hole", ("line", [0.32, 0.5, 0.46, 0.35, 0.7, 0.65]))],
    "cross": [("rect", 0.37, 0.1, 0.26, 0.8), ("rect", 0.1, 0.37, 0.8, 0.26)],
    "card": [("frame", 0.06, 0.18, 0.88, 0.64), ("disc", 0.3, 0.58, 0.1),
             ("rect", 0.18, 0.3, 0.24, 0.14), ("rect", 0.52, 0.6, 0.32, 0.06),
             ("rect", 0.52, 0.45, 0.32, 0.06), ("rect", 0.52, 0.3, 0.24, 0.06)],
    "elder": [("disc", 0.42, 0.84, 0.1), ("line", [0.42, 0.72, 0.36, 0.42]),
              ("line", [0.36, 0.42, 0.24, 0.06]), ("line", [0.36, 0.42, 0.48, 0.06]),
              ("line", [0.4, 0.62, 0.66, 0.5]), ("line", [0.66, 0.5, 0.7, 0.06])],
    "wheelchair": [("disc", 0.4, 0.86, 0.09), ("line", [0.4, 0.74, 0.4, 0.48, 0.66, 0.48, 0.76, 0.24]),
                   ("line", [0.4, 0.66, 0.6, 0.62]), ("ring", 0.42, 0.3, 0.22)],
    "shop": [("poly", [0.08, 0.7, 0.92, 0.7, 0.82, 0.9, 0.18, 0.9]), ("frame", 0.15, 0.08, 0.7, 0.56),
             ("rect", 0.42, 0.08, 0.18, 0.34)],
    "house": [("poly", [0.5, 0.95, 0.94, 0.55, 0.06, 0.55]), ("rect", 0.18, 0.06, 0.64, 0.52),
              ("hole", ("rect", 0.42, 0.06, 0.16, 0.28))],
    "family": [("disc", 0.34, 0.8, 0.12), ("rect", 0.2, 0.08, 0.28, 0.56), ("disc", 0.7, 0.58, 0.09),
               ("rect", 0.6, 0.08, 0.2, 0.4)],
    "heart": [("disc", 0.32, 0.64, 0.2), ("disc", 0.68, 0.64, 0.2),
              ("poly", [0.5, 0.08, 0.88, 0.58, 0.5, 0.66, 0.12, 0.58])],
    "search": [("ring", 0.42, 0.58, 0.26), ("line", [0.62, 0.38, 0.88, 0.1])],
    "dots": [("disc", 0.2, 0.5, 0.1), ("disc", 0.5, 0.5, 0.1), ("disc", 0.8, 0.5, 0.1)],
}  # fmt: skip


def draw(canvas, name: str, pos: tuple[float, float], size: float, ink: tuple, paper: tuple) -> None:
    """Draw pictogram ``name`` into ``canvas`` in a ``size`` square at ``pos``."""
    x0, y0 = pos

    def pt(points: list[float]) -> list[float]:
        return [x0 + v * size if i % 2 == 0 else y0 + v * size for i, v in enumerate(points)]

    def shape(item: Shape, colour: tuple) -> None:
        kind, *args = item
        if kind == "hole":
            shape(args[0], paper)
            return
        canvas.add(Color(*colour))
        width = max(2.0, STROKE * size)
        if kind == "rect":
            x, y, w, h = args
            canvas.add(Rectangle(pos=(x0 + x * size, y0 + y * size), size=(w * size, h * size)))
        elif kind == "frame":
            x, y, w, h = args
            canvas.add(Line(rectangle=(x0 + x * size, y0 + y * size, w * size, h * size), width=width / 2))
        elif kind == "disc":
            cx, cy, r = args
            canvas.add(Ellipse(pos=(x0 + (cx - r) * size, y0 + (cy - r) * size), size=(2 * r * size,) * 2))
        elif kind == "ring":
            cx, cy, r = args
            canvas.add(Line(circle=(x0 + cx * size, y0 + cy * size, r * size), width=width / 2))
        elif kind == "line":
            canvas.add(Line(points=pt(args[0]), width=width / 2, cap="round", joint="round"))
        elif kind == "poly":
            points = pt(args[0])
            xs, ys = points[0::2], points[1::2]
            cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
            vertices = [cx, cy, 0, 0]
            for x, y in zip(xs, ys, strict=True):
                vertices += [x, y, 0, 0]
            n = len(xs)
            indices = [0, *range(1, n + 1), 1]
            canvas.add(Mesh(vertices=vertices, indices=indices, mode="triangle_fan"))
        else:
            raise ValueError(f"unknown pictogram shape {kind!r} in {name!r}")

    if name not in PICTOGRAMS:
        raise KeyError(f"no pictogram {name!r}")
    for item in PICTOGRAMS[name]:
        shape(item, ink)
