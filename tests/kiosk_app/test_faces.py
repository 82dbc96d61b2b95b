"""Kivy's SDL2 text through the kiosk's closable font faces (``kiosk/ui/faces.py``): the
same pixels and sizes as Kivy's own renderer, and faces really closed and reopened.

Kivy opens a font collection at face 0 (Noto Sans CJK JP), the kiosk at the Simplified
Chinese face: Kivy's reference renderings are of that face copied out of the collection
into a file of its own (:func:`_single_face`), which Kivy opens at its only face.

Only Kivy's text core is loaded (no window): SDL_ttf draws into memory surfaces."""

from __future__ import annotations

import os
import struct
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.ui import theme

TEXTS = ["办事指南 第 1 页，共 3 页", "城乡居民基本养老保险参保登记（ylbx）", "ZZ1305-K1-20250102-0001 ✓"]
JP_SC_DIFFER = "直骨画"  # Han characters whose Japanese and Chinese shapes differ


def _single_face(collection: str, index: int, out: Path) -> Path:
    """Face ``index`` of a .ttc written as a standalone font file (its tables copied as
    they are, offsets rewritten): Kivy opens it at its only face."""
    data = Path(collection).read_bytes()
    (directory,) = struct.unpack_from(">I", data, 12 + 4 * index)
    version, count = struct.unpack_from(">IH", data, directory)
    records = [struct.unpack_from(">4sIII", data, directory + 12 + 16 * i) for i in range(count)]
    header = bytearray(data[directory : directory + 12])
    body, at = bytearray(), 12 + 16 * count
    for tag, checksum, offset, length in records:
        header += struct.pack(">4sIII", tag, checksum, at + len(body), length)
        body += data[offset : offset + length] + b"\0" * (-length % 4)
    assert version in (0x00010000, 0x4F54544F)  # TrueType or CFF outlines
    out.write_bytes(bytes(header) + bytes(body))
    return out


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


@pytest.fixture(scope="module")
def sc_files(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """The kiosk font's Simplified Chinese faces (regular, bold) as files of their own,
    found by the family name Pillow's FreeType reads (not by the kiosk's own reader)."""
    from PIL import ImageFont

    out = tmp_path_factory.mktemp("sc")
    files = {}
    for bold, ttc in zip((False, True), theme.cjk_font(), strict=True):
        index = next(
            i for i in range(10) if ImageFont.truetype(ttc, 20, index=i).getname()[0] == "Noto Sans CJK SC"
        )
        files[bold] = _single_face(ttc, index, out / f"sc-{int(bold)}.otf")
    return files


@contextmanager
def _in_file(label, font: Path):
    """``label`` as Kivy's own renderer sees it with ``font`` as its font file."""
    options, kept = label.options, label.options["font_name_r"]
    options["font_name_r"] = str(font)
    try:
        yield label
    finally:
        options["font_name_r"] = kept


def _sc(label, sc_files: dict[bool, Path]):
    return _in_file(label, sc_files[bool(label.options["bold"])])


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
def test_text_is_measured_and_drawn_as_kivy_draws_it(kivy_text, sc_files, px: int, bold: bool) -> None:
    kivy_sdl2, label_cls, _cache, _font = kivy_text
    for text in [*TEXTS, JP_SC_DIFFER]:
        for color in ((0.07, 0.07, 0.07, 1), (1, 1, 1, 1), (0.0, 0.16, 0.45, 0.5)):
            label = _label(label_cls, text, px, bold, color=color)
            size = label.get_extents(text)
            ascent, descent, pixels = label.get_ascent(), label.get_descent(), _drawn_here(label, text, size)
            with _sc(label, sc_files):
                assert size == kivy_sdl2._get_extents(label, text) and size[0] > px
                assert ascent == kivy_sdl2._get_fontascent(label)
                assert descent == kivy_sdl2._get_fontdescent(label)
                assert pixels == _drawn_by_kivy(kivy_sdl2, label, text, size)
            assert any(pixels[3::4])  # something was drawn (alpha)


@pytest.mark.parametrize("bold", [False, True])
def test_chinese_is_drawn_in_the_simplified_chinese_face_not_the_japanese(kivy_text, sc_files, bold) -> None:
    """Noto Sans CJK's face 0 (what Kivy and Pillow open by default) is Japanese."""
    kivy_sdl2, label_cls, cache, _font = kivy_text
    label = _label(label_cls, JP_SC_DIFFER, theme.TEXT_PX, bold)
    assert cache.family(label.options) == "Noto Sans CJK SC"  # SDL_ttf's own reading of the face
    size = label.get_extents(JP_SC_DIFFER)
    pixels = _drawn_here(label, JP_SC_DIFFER, size)
    with _sc(label, sc_files):
        assert pixels == _drawn_by_kivy(kivy_sdl2, label, JP_SC_DIFFER, size)
    japanese = _drawn_by_kivy(kivy_sdl2, label, JP_SC_DIFFER, size)  # Kivy: the .ttc's face 0
    assert japanese != pixels and any(japanese[3::4])
    for char in JP_SC_DIFFER:  # each character on its own, not only the string
        one = _label(label_cls, char, theme.TEXT_PX, bold)
        size = one.get_extents(char)
        assert _drawn_here(one, char, size) != _drawn_by_kivy(kivy_sdl2, one, char, size)


def test_pillow_icons_draw_chinese_in_the_simplified_chinese_face(sc_files) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from kiosk.ui import icons

    font = icons._font(18)
    assert font.getname() == ("Noto Sans CJK SC", "Regular")

    def drawn(f: ImageFont.FreeTypeFont) -> bytes:
        img = Image.new("L", (80, 30))
        ImageDraw.Draw(img).text((2, 2), JP_SC_DIFFER, fill=255, font=f)
        return img.tobytes()

    assert drawn(font) == drawn(ImageFont.truetype(str(sc_files[False]), 18))
    assert drawn(font) != drawn(ImageFont.truetype(theme.cjk_font()[0], 18))  # face 0: Japanese
    icons._font.cache_clear()


def test_an_outlined_label_is_drawn_as_kivy_draws_it(kivy_text, sc_files) -> None:
    kivy_sdl2, label_cls, _cache, _font = kivy_text
    label = _label(label_cls, TEXTS[0], 32, True, outline_width=2, outline_color=(1, 0.84, 0.1))
    size = label.get_extents(TEXTS[0])
    pixels = _drawn_here(label, TEXTS[0], size)
    with _sc(label, sc_files):
        assert size == kivy_sdl2._get_extents(label, TEXTS[0])
        assert pixels == _drawn_by_kivy(kivy_sdl2, label, TEXTS[0], size)


def test_the_other_scales_faces_are_closed_and_reopened_on_use(kivy_text, sc_files) -> None:
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
    pixels = _drawn_here(label, "大字", size)
    with _sc(label, sc_files):
        assert pixels == _drawn_by_kivy(kivy_sdl2, label, "大字", size)
    assert close_faces(theme.NORMAL_FACES) == [k for k in closed if (k.size, k.bold) == (52, True)][:1]


def test_a_missing_font_file_is_an_error_naming_it(kivy_text) -> None:
    _kivy, label_cls, _cache, _font = kivy_text
    label = _label(label_cls, "字", 28, False)
    label.options["font_name_r"] = str(Path("/nonexistent/NoSuchFont.ttf"))
    with pytest.raises(OSError, match=r"NoSuchFont\.ttf at 28 px"):
        label.get_extents("字")


def test_the_simplified_chinese_face_is_found_by_name_or_its_absence_is_an_error(tmp_path: Path) -> None:
    from kiosk.ui.font_names import chinese_face, family_names

    regular, bold = theme.cjk_font()
    for ttc in (regular, bold):
        assert family_names(ttc)[chinese_face(ttc)] == "Noto Sans CJK SC"
    japanese_korean = bytearray(Path(regular).read_bytes())  # the same collection listing faces 0 and 1 only
    japanese_korean[8:12] = struct.pack(">I", 2)
    (tmp_path / "jp-kr.ttc").write_bytes(japanese_korean)
    with pytest.raises(ValueError, match="no Simplified Chinese"):
        chinese_face(str(tmp_path / "jp-kr.ttc"))
    (tmp_path / "cut.ttc").write_bytes(japanese_korean[:4000])
    with pytest.raises(ValueError, match="not a font file"):
        chinese_face(str(tmp_path / "cut.ttc"))
