"""Does a glare spot hide print, or only shine on it?

A specular highlight burns the paper out to white long before it burns out the print: in
the ring round a spot's core the strokes are still there, lighter, and both OCR engines
read them. What is lost is only where even the darkest pixels are white (*washed out*),
and that matters only when print ran there: a spot on a blank margin, between two
paragraphs or below the last line hides nothing. So the gate looks, on a grid of cells,
for washed-out cells with print close beyond them (about two characters) on at least three
of four sides: lines run into the spot and out of it, or a block of print continues above,
below and on one side of it (the ends of lines). Only print *lightened* by the spot counts
(``faded``): beside a spot strong enough to wash print out, print is lightened too, while
print at full strength beside a white area says the area is blank paper — a table's empty
cell, the gap after a short line. Table rules are not print here (a blank cell framed by
rules hides nothing): long straight strokes are taken out of the stroke mask first. What
is measured is the share of the print lost; a word or two is settled by the reading (its
labels, confidence and check digits, ``settle.py``), a good part of the page is refused
(``quality.HIDDEN_SHARE``).

Print is found by local contrast (a black-hat: dark strokes narrower than a cell), not
against an estimate of the paper's level, which a bright spot drags up so that the plain
paper round it passes for print.
"""

from __future__ import annotations

import cv2
import numpy as np

WASHED = 236  # a cell whose darkest (3×3-smoothed) pixel is at least this bright shows no print
STROKE_DEPTH = 28  # a stroke is this much darker than the paper right round it (0–255)
STROKE_CELL = 0.004  # share of a cell's pixels that are strokes: the cell holds print
RULE_MM = 12.0  # a straight stroke longer than this is a rule, not print (characters are ≤ ~7 mm)
REACH_MM = 10.0  # how far beyond the washed-out cells print is looked for: two characters or so
NEAR_CELLS = 2  # washed-out cells this close to a burnt-out one belong to its spot
SIDES = ((0, -1), (0, 1), (-1, 0), (1, 0))
FADE = 0.25  # print lightened this far towards the paper (``faded``) was under the spot's light


def _cells(mask: np.ndarray, cell: int, shape: tuple[int, int], how: str) -> np.ndarray:
    gh, gw = shape
    grid = mask[: gh * cell, : gw * cell].reshape(gh, cell, gw, cell)
    return grid.min(axis=(1, 3)) if how == "min" else grid.mean(axis=(1, 3), dtype=np.float32)


def print_cells(gray: np.ndarray, cell: int, shape: tuple[int, int], cell_mm: float) -> np.ndarray:
    """Cells holding print: strokes found by local contrast, long straight rules left out."""
    k = max(5, cell // 2) | 1
    strokes = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8)) > STROKE_DEPTH
    strokes = strokes.astype(np.uint8)
    rule = max(3, round(RULE_MM / cell_mm * cell))
    rules = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((1, rule), np.uint8))
    rules |= cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones((rule, 1), np.uint8))
    strokes &= 1 - cv2.dilate(rules, np.ones((3, 3), np.uint8))
    return _cells(strokes, cell, shape, "mean") > STROKE_CELL


def darkest_cells(gray: np.ndarray, cell: int, shape: tuple[int, int]) -> np.ndarray:
    """Each cell's darkest pixel, after a 3×3 smoothing against sensor noise."""
    return _cells(cv2.blur(gray, (3, 3)), cell, shape, "min")


def washed_cells(darkest: np.ndarray, glare: np.ndarray) -> np.ndarray:
    """Cells of a glare spot where not even print is darker than ``WASHED``."""
    near = cv2.dilate(glare.astype(np.uint8), np.ones((2 * NEAR_CELLS + 1,) * 2, np.uint8)) > 0
    return (darkest >= WASHED) & near


def faded(printed: np.ndarray, darkest: np.ndarray) -> np.ndarray:
    """Print cells lightened by the spot: their darkest pixel at least ``FADE`` of the way
    from the page's print level to its paper level. Beside a spot strong enough to wash
    print out, print is lightened too; print at full strength beside a white area says the
    area is blank paper (a table cell, a gap), not print washed out."""
    if not printed.any():
        return printed
    ink = float(np.percentile(darkest[printed], 10))
    paper = float(np.median(darkest))
    return printed & (darkest >= ink + FADE * max(paper - ink, 0.0))


def _print_beyond(
    printed: np.ndarray, washed: np.ndarray, y: int, x: int, step: tuple[int, int], reach: int
) -> bool:
    """Whether print lies within ``reach`` cells beyond the washed-out cells, going from cell
    (``y``, ``x``) by ``step``."""
    cy, cx, beyond = y + step[0], x + step[1], 0
    while 0 <= cy < printed.shape[0] and 0 <= cx < printed.shape[1] and beyond < reach:
        if printed[cy, cx]:
            return True
        beyond += not washed[cy, cx]
        cy, cx = cy + step[0], cx + step[1]
    return False


def hidden_print(gray: np.ndarray, glare: np.ndarray, cell: int, cell_mm: float) -> tuple[float, np.ndarray]:
    """(share of the page's print the glare hides: washed-out cells print ran under, of
    those and the cells where print is seen; their mask on the glare grid). ``cell_mm``: a
    cell's side on the paper, so that the reach is the same length of print on a card and
    on an A4 page."""
    reach = max(1, round(REACH_MM / cell_mm))
    darkest = darkest_cells(gray, cell, glare.shape)
    washed = washed_cells(darkest, glare)
    hidden = np.zeros_like(washed)
    if not washed.any():
        return 0.0, hidden
    printed = print_cells(gray, cell, glare.shape, cell_mm) & ~washed
    lit = faded(printed, darkest)
    for y, x in zip(*np.nonzero(washed), strict=True):
        sides = sum(_print_beyond(lit, washed, y, x, step, reach) for step in SIDES)
        hidden[y, x] = sides >= 3
    lost = int(hidden.sum())
    return lost / max(1, lost + int(printed.sum())), hidden
