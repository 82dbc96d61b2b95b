"""Give the native memory of text and discarded widgets back at once, not at the next
full garbage collection.

Measured in the kiosk app (heaptrack, two-matter visit): Kivy's SDL2 text provider keeps
each label's rendered SDL surface for the label's whole life, beside the texture made
from it (~15-25 MB); and a rebuilt screen's old widgets hold their textures and vertex
buffers (Mesa memory) until the cyclic collector runs, which the kiosk does only at quiet
moments (``kiosk/quiet_gc.py``), so during a visit they piled up.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kivy.uix.widget import Widget

_patched = False
_faces: set[str] = set()  # SDL2 font ids used: each one is a font face Kivy keeps open


def drop_label_surfaces() -> None:
    """Have Kivy's SDL2 labels free their pixel surface once the texture is made, and
    note which font faces they open (once)."""
    global _patched
    if _patched:
        return
    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:  # another text provider: nothing kept twice
        return
    rendered, font_id = LabelSDL2._render_end, LabelSDL2._get_font_id

    def _render_end(self):
        try:
            return rendered(self)
        finally:
            self._surface = None  # the pixels were copied out for the texture

    def _get_font_id(self):
        opened = font_id(self)
        _faces.add(opened)
        return opened

    LabelSDL2._render_end = _render_end
    LabelSDL2._get_font_id = _get_font_id
    _patched = True


def opened_faces(font_file: str) -> set[tuple[float, bool]]:
    """(size, bold) of the faces of ``font_file`` opened so far (tests: the type scale
    holds); the id is Kivy's ``size|file|bold|…``."""
    found = set()
    for font in _faces:
        size, path, bold = font.split("|")[:3]
        if Path(path).name.split("-")[0] == Path(font_file).name.split("-")[0]:
            found.add((float(size), bold == "True"))
    return found


def release(widgets: Iterable[Widget], keep: Iterable[Widget] = ()) -> int:
    """Clear the drawing (textures, vertex buffers) of ``widgets`` and their children that
    are no longer shown; ``keep``: trees still in use. Returns how many were released."""
    kept = {id(w) for tree in keep for w in tree.walk(restrict=True)}
    count = 0
    for root in widgets:
        for widget in list(root.walk(restrict=True)):
            if id(widget) in kept:
                continue
            canvas = widget.canvas
            if canvas is not None:
                canvas.clear()
                if canvas.has_before:
                    canvas.before.clear()
                if canvas.has_after:
                    canvas.after.clear()
            core = getattr(widget, "_label", None)
            if core is not None and hasattr(widget, "texture"):
                core.texture = None
                widget.texture = None
            elif hasattr(widget, "texture") and not callable(widget.texture):
                widget.texture = None
            count += 1
    return count


def clear(container: Widget, keep: Iterable[Widget] = ()) -> None:
    """``container.clear_widgets()``, releasing what it held but the trees in ``keep``."""
    old = list(container.children)
    container.clear_widgets()
    release(old, keep)
