"""Give the native memory of text and discarded widgets back at once, not at the next
full garbage collection.

Measured in the kiosk app (heaptrack, two-matter visit): a rebuilt screen's old widgets
hold their textures and vertex buffers (Mesa memory) until the cyclic collector runs,
which the kiosk does only at quiet moments (``kiosk/quiet_gc.py``), so during a visit
they piled up. (Labels' rendered surfaces, 15-25 MB when Kivy kept them beside their
textures, are freed as soon as drawn: ``ui/faces.py``.)
"""

from __future__ import annotations

from collections.abc import Iterable

from kivy.uix.widget import Widget


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
