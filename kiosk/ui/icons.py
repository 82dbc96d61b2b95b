"""Pictures of what to place under the camera, one per kind of material.

Drawn once with Pillow (an ID card, a household register booklet, an A4 form, a
licence with its seal …) and cached, so the guide and materials screens can show a
resident *what* to lay down, not only its name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from shared_schema import MaterialKind

from . import theme
from .font_names import chinese_face

SIZE = (220, 160)
LABELS = {
    MaterialKind.id_card_front: "身份证 人像面",
    MaterialKind.id_card_back: "身份证 国徽面",
    MaterialKind.household_register: "户口簿",
    MaterialKind.business_licence: "营业执照",
    MaterialKind.form: "申请表",
    MaterialKind.certificate: "证明",
    MaterialKind.photo: "照片",
    MaterialKind.document: "材料",
}


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """The kiosk's CJK font at its Simplified Chinese face (Pillow opens face 0 unless
    told: Japanese shapes in Noto Sans CJK)."""
    regular, _bold = theme.cjk_font()
    return ImageFont.truetype(regular, size, index=chinese_face(regular))


def _draw(kind: MaterialKind) -> Image.Image:
    img = Image.new("RGB", SIZE, (236, 240, 246))
    d = ImageDraw.Draw(img)
    ink, blue, red = (30, 30, 30), (10, 60, 145), (190, 20, 30)
    if kind in (MaterialKind.id_card_front, MaterialKind.id_card_back):
        d.rounded_rectangle((20, 30, 200, 140), 12, fill=(225, 236, 250), outline=blue, width=3)
        if kind is MaterialKind.id_card_front:
            d.rectangle((140, 45, 188, 110), outline=ink, width=2)
            for y in (50, 70, 90, 118):
                d.line((32, y, 130, y), fill=ink, width=3)
        else:
            d.ellipse((34, 44, 84, 94), outline=red, width=4)
            d.line((95, 60, 190, 60), fill=ink, width=3)
    elif kind is MaterialKind.household_register:
        d.rectangle((50, 18, 170, 150), fill=(120, 30, 40), outline=ink, width=2)
        d.rectangle((70, 40, 150, 60), fill=(230, 200, 120))
    elif kind is MaterialKind.photo:
        d.rectangle((75, 20, 145, 120), fill=(70, 130, 210), outline=ink, width=2)
        d.ellipse((95, 35, 125, 70), fill=(240, 210, 180))
    else:
        d.rectangle((62, 10, 158, 150), fill=(255, 255, 255), outline=ink, width=2)
        for y in range(32, 140, 14):
            d.line((72, y, 148, y), fill=(120, 120, 120), width=2)
        if kind in (MaterialKind.business_licence, MaterialKind.certificate):
            d.ellipse((118, 100, 152, 134), outline=red, width=3)
    d.text((8, SIZE[1] - 26), LABELS[kind], fill=ink, font=_font(18))
    return img


def icon_path(kind: MaterialKind, cache: Path) -> Path:
    path = cache / f"{kind.value}.sc.png"  # not the files drawn at the Japanese face before
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        _draw(kind).save(path)
    return path


def draw_all(cache: Path) -> None:
    """Draw the icons not cached yet, then close the font: Pillow's CJK face (its file
    mapped, ~3.4 MB resident, and FreeType's tables) would otherwise stay in the app."""
    for kind in MaterialKind:
        icon_path(kind, cache)
    _font.cache_clear()
