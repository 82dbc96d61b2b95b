"""Scripted 签收: the recipient signs on the assist screen's signature pad with a finger.

The strokes go through Kivy's own input path (``MotionEvent``\\ s posted to the event
loop, as the touch screen's provider posts them), so the pad sees what a finger makes.
With ``TONGBAN_RETURN_SIGN`` set, every scripted hand-over is signed.
"""

from __future__ import annotations

import os

from ..ui.signature_pad import SignaturePad
from .driver import Driver, ScriptError

SIGN = "TONGBAN_RETURN_SIGN"
# 王: three strokes across, one down (fractions of the pad, y downwards)
STROKES = [
    [(0.25, 0.25), (0.45, 0.24), (0.7, 0.25)],
    [(0.3, 0.5), (0.5, 0.5), (0.66, 0.51)],
    [(0.2, 0.78), (0.5, 0.77), (0.78, 0.78)],
    [(0.48, 0.22), (0.49, 0.5), (0.5, 0.8)],
]


def sign_if_asked(driver: Driver) -> int:
    return sign(driver) if os.environ.get(SIGN) else 0


def sign(driver: Driver) -> int:
    """Open the signature tab and write; the strokes the pad recorded."""
    from kivy.tests.common import UnitTestTouch  # brings pytest (~13 MB): only when signing

    driver.tap("Signature")
    [pad] = [w for w in driver.screen.walk(restrict=True) if isinstance(w, SignaturePad)]
    driver.pump(2)  # laid out: the pad has its place on the screen
    for stroke in STROKES:
        points = [pad.to_window(pad.x + fx * pad.width, pad.top - fy * pad.height) for fx, fy in stroke]
        touch = UnitTestTouch(*points[0])
        touch.touch_down()
        for x, y in points[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        driver.pump()
    driver.shot("assist-signature")
    if len(pad.strokes) != len(STROKES):
        raise ScriptError(f"the pad recorded {len(pad.strokes)} strokes of {len(STROKES)}")
    return len(pad.strokes)
