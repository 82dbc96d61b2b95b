"""Child process for tests/kiosk_app/test_header.py: the real header in a real window.

``python tests/kiosk_app/header_fit_run.py WIDTH HEIGHT NAME…`` starts its own Xvfb,
opens a Kivy window of that size, shows a :class:`kiosk.ui.header.Header` for each
station name and prints, as JSON, what its name label drew (Kivy: one window per process).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile


def main(width: int, height: int, names: list[str]) -> list[dict]:
    from kiosk.scripted.xvfb import start_xvfb

    xvfb = start_xvfb(width, height)
    os.environ["DISPLAY"] = xvfb.display
    home = tempfile.mkdtemp(prefix="header-fit-")
    for key, value in (("KIVY_NO_ARGS", "1"), ("KIVY_NO_CONSOLELOG", "1"), ("KIVY_NO_FILELOG", "1")):
        os.environ[key] = value
    os.environ["KIVY_HOME"] = home
    try:
        from kivy.config import Config

        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
        from kivy.base import EventLoop
        from kivy.core.window import Window

        from kiosk.ui import theme
        from kiosk.ui.faces import install_faces
        from kiosk.ui.header import Header

        theme.register_font()
        install_faces()
        EventLoop.ensure_window()
        drawn = []
        for name in names:
            header = Header(name, lambda: None, lambda: None, lambda: None, top=height, width=width)
            Window.add_widget(header)
            for _ in range(5):  # layout, then the label's texture
                EventLoop.idle()
            place = header.place
            place.texture_update()
            lines = place._label._cached_lines
            drawn.append(
                {
                    "text": place.text,
                    "font_size": place.font_size,
                    "texture": list(place.texture_size),
                    "label": list(place.size),
                    "lines": ["".join(word.text for word in line.words) for line in lines],
                    "lines_h": sum(line.h for line in lines),
                    "room": header.height - header.padding[1] - header.padding[3],
                    "widest_line": max(line.w for line in lines),
                }
            )
            Window.remove_widget(header)
        return drawn
    finally:
        xvfb.stop()


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]), ensure_ascii=False))
