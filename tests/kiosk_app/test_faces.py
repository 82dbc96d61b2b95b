"""Kivy's SDL2 text through the kiosk's closable font faces (``kiosk/ui/faces.py``): the
same pixels and sizes as Kivy's own renderer, and faces really closed and reopened.

Only Kivy's text core is loaded (no window): SDL_ttf draws into memory surfaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.ui import theme

TEXTS = ["办事指南 第 1 页，共 3 页", "城乡居民基本养老保险参保登记（ylbx）", "ZZ1305-K1-20250102-0001 ✓"]


@pytest.fixture(scope="module")
def kivy_text(tmp_path_factory: pytest.TempPathFactory):
    for name, value in (("KIVY_NO_ARGS", "1"), ("KIVY_NO_CONSOLELOG", "1"), ("KIVY_NO_FILELOG", "1")):
        os.environ.setdefault(name, value)
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    os.environ.setdefault("KIVY_HOME", str(tmp_path_factory.mktemp("kivy")))
    from kivy.core.text import _text_sdl2 as kivy_sdl2
    from kivy.core.text.text_sdl2 import LabelSDL2

    from kiosk.ui import faces

    font = theme.register_font()
    cache = faces.install_faces()
    return kivy_sdl2, LabelSDL2, cache, font


def _label(cls, text: str, px: int, bold: bool, **options):
    label = cls(text=text, font_size=px, bold=bold, font_name=theme.FONT_NAME, **options)
    label.resolve_font_name()
    return label


def _drawn_by_kivy(kivy_sdl2, label, text: str, size: tuple[int, int]) -> bytes:
    surface = kivy_sdl2._SurfaceContainer(*size)
    surface.render(label, text, 0, 0)
    return bytes(surface.get_data().data)


def _drawn_here(label, text: str, size: tuple[int, int]) -> bytes:
    label._size = size
    label._render_begin()
    label._render_text(text, 0, 0)
    data = label._render_end()
    assert label._surface is None  # nothing kept beside the texture
    return bytes(data.data)


@pytest.mark.parametrize("px,bold", sorted(theme.NORMAL_FACES | theme.ACCESSIBLE_FACES))
def test_text_is_measured_and_drawn_as_kivy_draws_it(kivy_text, px: int, bold: bool) -> None:
    kivy_sdl2, label_cls, _cache, _font = kivy_text
    for text in TEXTS:
        for color in ((0.07, 0.07, 0.07, 1), (1, 1, 1, 1), (0.0, 0.16, 0.45, 0.5)):
            label = _label(label_cls, text, px, bold, color=color)
            size = label.get_extents(text)
            assert size == kivy_sdl2._get_extents(label, text) and size[0] > px
            assert label.get_ascent() == kivy_sdl2._get_fontascent(label)
            assert label.get_descent() == kivy_sdl2._get_fontdescent(label)
            pixels = _drawn_here(label, text, size)
            assert pixels == _drawn_by_kivy(kivy_sdl2, label, text, size)
            assert any(pixels[3::4])  # something was drawn (alpha)


def test_an_outlined_label_is_drawn_as_kivy_draws_it(kivy_text) -> None:
    kivy_sdl2, label_cls, _cache, _font = kivy_text
    label = _label(label_cls, TEXTS[0], 32, True, outline_width=2, outline_color=(1, 0.84, 0.1))
    size = label.get_extents(TEXTS[0])
    assert size == kivy_sdl2._get_extents(label, TEXTS[0])
    assert _drawn_here(label, TEXTS[0], size) == _drawn_by_kivy(kivy_sdl2, label, TEXTS[0], size)


def test_the_other_scales_faces_are_closed_and_reopened_on_use(kivy_text) -> None:
    from kiosk.ui.faces import close_faces, open_faces

    kivy_sdl2, label_cls, _cache, font = kivy_text
    for px, bold in theme.NORMAL_FACES | theme.ACCESSIBLE_FACES:
        _label(label_cls, "大字", px, bold).get_extents("大字")
    assert open_faces(font) >= theme.NORMAL_FACES | theme.ACCESSIBLE_FACES
    closed = close_faces(theme.NORMAL_FACES)
    assert {(k.size, k.bold) for k in closed} >= theme.ACCESSIBLE_FACES
    assert open_faces(font) == theme.NORMAL_FACES
    label = _label(label_cls, "大字", 52, True)  # asked for again: opened again, drawn alike
    size = label.get_extents("大字")
    assert open_faces(font) == theme.NORMAL_FACES | {(52, True)}
    assert _drawn_here(label, "大字", size) == _drawn_by_kivy(kivy_sdl2, label, "大字", size)
    assert close_faces(theme.NORMAL_FACES) == [k for k in closed if (k.size, k.bold) == (52, True)][:1]


def test_a_missing_font_file_is_an_error_naming_it(kivy_text) -> None:
    _kivy, label_cls, _cache, _font = kivy_text
    label = _label(label_cls, "字", 28, False)
    label.options["font_name_r"] = str(Path("/nonexistent/NoSuchFont.ttf"))
    with pytest.raises(OSError, match=r"NoSuchFont\.ttf at 28 px"):
        label.get_extents("字")
