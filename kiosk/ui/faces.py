"""Kivy's SDL2 text drawn through font faces the kiosk can close again.

Kivy's SDL2 text provider opens one SDL_ttf face per (font file, size, style) and keeps it
in a C-level cache that nothing outside it can empty: a CJK face costs ~2.5 MB when opened
and ~4 MB with its glyph cache (measured on Noto Sans CJK), so the accessibility mode's
four larger faces stayed in the app for its whole life once a resident had used it. Here
the provider's few text calls (extents, ascent and descent, rendering into a surface) go
through the same SDL_ttf library but through :class:`FaceCache`, whose faces
:func:`close_faces` closes: the app keeps only the current type scale's faces open
(``KioskApp.apply_accessible``). The pixels are drawn exactly as Kivy draws them (tested
against Kivy's own renderer), and no label keeps its rendered surface beside its texture.

One difference on purpose: a font collection is opened at its Simplified Chinese face
(``font_names.chinese_face``), not at face 0 as Kivy does, which in Noto Sans CJK is the
Japanese one (直 骨 画 … in Japanese shapes).
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from .font_names import chinese_face

log = logging.getLogger(__name__)


def _chinese_face(file: str) -> int:
    """The face index Chinese is drawn with (not Kivy's face 0: Japanese shapes in Noto CJK)."""
    if not Path(file).exists():
        return 0  # TTF_OpenFontIndex reports the missing file, naming it
    return chinese_face(file)


TTF_STYLE_UNDERLINE, TTF_STYLE_STRIKETHROUGH = 0x04, 0x08
HINTING = {"normal": 0, "light": 1, "mono": 2, None: 3}
BLENDMODE_NONE, BLENDMODE_BLEND = 0, 1
RGBA_MASKS = (0x000000FF, 0x0000FF00, 0x00FF0000, 0xFF000000)  # Kivy's byte order


class SDLColor(ctypes.Structure):
    _fields_ = [("r", ctypes.c_uint8), ("g", ctypes.c_uint8), ("b", ctypes.c_uint8), ("a", ctypes.c_uint8)]


class SDLRect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int), ("h", ctypes.c_int)]


class SDLSurface(ctypes.Structure):  # the public head of SDL2's SDL_Surface
    _fields_ = [
        ("flags", ctypes.c_uint32),
        ("format", ctypes.c_void_p),
        ("w", ctypes.c_int),
        ("h", ctypes.c_int),
        ("pitch", ctypes.c_int),
        ("pixels", ctypes.c_void_p),
    ]


SurfaceP = ctypes.POINTER(SDLSurface)


class FaceKey(NamedTuple):
    """What Kivy keys a face by: the resolved file, the size in px and the style (a tuple:
    looked up on every measure and draw, so as cheap to make as one)."""

    file: str
    size: int
    bold: bool
    italic: bool
    underline: bool
    strikethrough: bool

    @property
    def style(self) -> int:
        """SDL_ttf's style bits (bold and italic come from the resolved file, as in Kivy)."""
        return (TTF_STYLE_UNDERLINE if self.underline else 0) | (
            TTF_STYLE_STRIKETHROUGH if self.strikethrough else 0
        )


def _key(options: dict) -> tuple:
    """A label's face as a plain tuple equal to its :class:`FaceKey` (the hot path)."""
    return (
        options["font_name_r"],
        int(options["font_size"]),
        options["bold"],
        options["italic"],
        options["underline"],
        options["strikethrough"],
    )


def _loaded(name: str) -> str:
    """Path of the shared library ``name`` this process has loaded (Kivy's own SDL2 and
    SDL_ttf, which may be bundled copies under hashed names): faces must come from the
    library Kivy initialised."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        if Path(path).name.startswith(name + "-") or Path(path).name.startswith(name + "."):
            return path
    raise RuntimeError(f"{name} is not loaded: import kivy.core.text first")


def _bind() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    import kivy.core.text._text_sdl2  # noqa: F401  (loads SDL2 and SDL2_ttf)

    sdl, ttf = ctypes.CDLL(_loaded("libSDL2")), ctypes.CDLL(_loaded("libSDL2_ttf"))
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures = {
        (ttf, "TTF_OpenFontIndex"): ([s, i, ctypes.c_long], p),
        (ttf, "TTF_FontFaceFamilyName"): ([p], s),
        (ttf, "TTF_CloseFont"): ([p], None),
        (ttf, "TTF_SetFontStyle"): ([p, i], None),
        (ttf, "TTF_GetFontHinting"): ([p], i),
        (ttf, "TTF_SetFontHinting"): ([p, i], None),
        (ttf, "TTF_GetFontKerning"): ([p], i),
        (ttf, "TTF_SetFontKerning"): ([p, i], None),
        (ttf, "TTF_SetFontOutline"): ([p, i], None),
        (ttf, "TTF_SizeUTF8"): ([p, s, ctypes.POINTER(i), ctypes.POINTER(i)], i),
        (ttf, "TTF_FontAscent"): ([p], i),
        (ttf, "TTF_FontDescent"): ([p], i),
        (ttf, "TTF_RenderUTF8_Blended"): ([p, s, SDLColor], SurfaceP),
        (ttf, "TTF_RenderUTF8_Solid"): ([p, s, SDLColor], SurfaceP),
        (ttf, "TTF_WasInit"): ([], i),
        (ttf, "TTF_Init"): ([], i),
        (sdl, "SDL_CreateRGBSurface"): ([ctypes.c_uint32, i, i, i, *[ctypes.c_uint32] * 4], SurfaceP),
        (sdl, "SDL_FreeSurface"): ([SurfaceP], None),
        (sdl, "SDL_UpperBlit"): ([SurfaceP, ctypes.POINTER(SDLRect), SurfaceP, ctypes.POINTER(SDLRect)], i),
        (sdl, "SDL_SetSurfaceAlphaMod"): ([SurfaceP, ctypes.c_uint8], i),
        (sdl, "SDL_SetSurfaceBlendMode"): ([SurfaceP, i], i),
        (sdl, "SDL_GetError"): ([], s),
    }
    for (lib, name), (args, result) in signatures.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, result
    return sdl, ttf


class FaceCache:
    """Open SDL_ttf faces by :class:`FaceKey`; :meth:`close` closes the ones not wanted."""

    def __init__(self) -> None:
        self.sdl, self.ttf = _bind()
        self.faces: dict[FaceKey, int] = {}
        self._w, self._h = ctypes.c_int(0), ctypes.c_int(0)  # TTF_SizeUTF8's answer (UI thread only)
        self._wh = (ctypes.byref(self._w), ctypes.byref(self._h))

    def get(self, options: dict) -> int:
        raw = _key(options)
        face = self.faces.get(raw)
        if face is None:
            key = FaceKey(str(raw[0]), raw[1], *(bool(v) for v in raw[2:]))
            if not self.ttf.TTF_WasInit() and self.ttf.TTF_Init() != 0:
                raise RuntimeError(f"TTF_Init failed: {self.sdl.SDL_GetError().decode()}")
            face = self.ttf.TTF_OpenFontIndex(key.file.encode(), key.size, _chinese_face(key.file))
            if not face:
                raise OSError(
                    f"cannot open font {key.file} at {key.size} px: {self.sdl.SDL_GetError().decode()}"
                )
            self.ttf.TTF_SetFontStyle(face, key.style)
            self.faces[key] = face
        return face

    def family(self, options: dict) -> str:
        """The family name of the face a label with ``options`` is drawn with."""
        return self.ttf.TTF_FontFaceFamilyName(self.get(options)).decode()

    def close(self, keep: Callable[[FaceKey], bool]) -> list[FaceKey]:
        """Close every face ``keep`` rejects (reopened if text asks for it again); the
        caller trims the heap afterwards. Returns the faces closed."""
        closed = [key for key in self.faces if not keep(key)]
        for key in closed:
            self.ttf.TTF_CloseFont(self.faces.pop(key))
        return closed

    def extents(self, options: dict, text: str) -> tuple[int, int]:
        face, outline = self.get(options), options["outline_width"]
        if outline:
            self.ttf.TTF_SetFontOutline(face, int(outline))
        self.ttf.TTF_SizeUTF8(face, text.encode("utf-8"), *self._wh)
        if outline:
            self.ttf.TTF_SetFontOutline(face, 0)
        return self._w.value, self._h.value

    def _styled(self, options: dict) -> int:
        """The face with the label's hinting and kerning set, as Kivy sets them."""
        face = self.get(options)
        hinting = HINTING[options["font_hinting"]]
        if self.ttf.TTF_GetFontHinting(face) != hinting:
            self.ttf.TTF_SetFontHinting(face, hinting)
        kerning = 1 if options["font_kerning"] else 0
        if (self.ttf.TTF_GetFontKerning(face) != 0) != bool(kerning):
            self.ttf.TTF_SetFontKerning(face, kerning)
        return face

    def _text_surface(self, face: int, options: dict, text: bytes, rgb: Sequence[float]) -> SurfaceP:
        r, g, b = (int(c * 255) for c in rgb[:3])  # alpha: the blit's alpha mod, as in Kivy
        render = self.ttf.TTF_RenderUTF8_Blended if options["font_blended"] else self.ttf.TTF_RenderUTF8_Solid
        return render(face, text, SDLColor(r, g, b, 255))

    def render(self, target: SurfaceP, options: dict, text: str, x: int, y: int) -> None:
        """Draw ``text`` into ``target`` at (x, y) with the label's colour (and outline)."""
        face, data = self._styled(options), text.encode("utf-8")
        outline = int(options["outline_width"] or 0)
        if outline:
            self.ttf.TTF_SetFontOutline(face, outline)
            drawn = self._text_surface(face, options, data, options["outline_color"])
            self.ttf.TTF_SetFontOutline(face, 0)
        else:
            drawn = self._text_surface(face, options, data, options["color"])
        if not drawn:
            return  # nothing to draw (an empty string): Kivy draws nothing either
        try:
            if outline:
                fill = self._text_surface(face, options, data, options["color"])
                if fill:
                    at = SDLRect(outline, outline, fill.contents.w, fill.contents.h)
                    self.sdl.SDL_SetSurfaceBlendMode(fill, BLENDMODE_BLEND)
                    self.sdl.SDL_UpperBlit(fill, None, drawn, ctypes.byref(at))
                    self.sdl.SDL_FreeSurface(fill)
            at = SDLRect(x, y, drawn.contents.w, drawn.contents.h)
            self.sdl.SDL_SetSurfaceAlphaMod(drawn, int(options["color"][3] * 255))
            self.sdl.SDL_SetSurfaceBlendMode(drawn, BLENDMODE_NONE)
            self.sdl.SDL_UpperBlit(drawn, None, target, ctypes.byref(at))
        finally:
            self.sdl.SDL_FreeSurface(drawn)

    def surface(self, w: int, h: int) -> SurfaceP:
        made = self.sdl.SDL_CreateRGBSurface(0, w, h, 32, *RGBA_MASKS)
        if not made:
            raise MemoryError(f"SDL cannot make a {w}×{h} text surface: {self.sdl.SDL_GetError().decode()}")
        ctypes.memset(made.contents.pixels, 0, made.contents.pitch * h)
        return made

    def pixels(self, surface: SurfaceP) -> bytes:
        """The surface's RGBA bytes; the surface is freed."""
        try:
            s = surface.contents
            return ctypes.string_at(s.pixels, s.w * s.h * 4)
        finally:
            self.sdl.SDL_FreeSurface(surface)


_cache: FaceCache | None = None


def install_faces() -> FaceCache:
    """Route Kivy's SDL2 labels through the closable cache (once; the app's build)."""
    global _cache
    if _cache is not None:
        return _cache
    from kivy.core.image import ImageData
    from kivy.core.text.text_sdl2 import LabelSDL2

    cache = _cache = FaceCache()

    def get_extents(self, text):
        return cache.extents(self.options, text)

    def _render_begin(self):
        self._surface = cache.surface(*self._size)

    def _render_text(self, text, x, y):
        cache.render(self._surface, self.options, text, x, y)

    def _render_end(self):
        surface, self._surface = self._surface, None  # the pixels go to the texture only
        return ImageData(self._size[0], self._size[1], "rgba", cache.pixels(surface))

    LabelSDL2.get_extents = get_extents
    LabelSDL2.get_ascent = lambda self: cache.ttf.TTF_FontAscent(cache.get(self.options))
    LabelSDL2.get_descent = lambda self: cache.ttf.TTF_FontDescent(cache.get(self.options))
    LabelSDL2._render_begin = _render_begin
    LabelSDL2._render_text = _render_text
    LabelSDL2._render_end = _render_end
    return cache


def close_faces(keep: Iterable[tuple[int, bool]]) -> list[FaceKey]:
    """Close every open face whose (size, bold) is not in ``keep`` (the type scale in use)
    and give the memory back to the system."""
    if _cache is None:
        return []
    from ..memory import trim

    wanted = set(keep)
    closed = _cache.close(lambda key: (key.size, key.bold) in wanted)
    if closed:
        trim()
        log.debug("closed %d font faces: %s", len(closed), [(k.size, k.bold) for k in closed])
    return closed


def open_faces(font_file: str) -> set[tuple[int, bool]]:
    """(size, bold) of the faces of ``font_file``'s family open now (tests and the
    scripted report: only the current type scale's)."""
    family = Path(font_file).name.split("-")[0]
    if _cache is None:
        return set()
    return {(k.size, k.bold) for k in _cache.faces if Path(k.file).name.split("-")[0] == family}
