"""A plain flat test page drawn with PIL: Chinese text lines and a table frame.

Enough to exercise the imaging stages and to calibrate the quality gate; the benchmark's
realistic documents (forms, ID cards, licences) come from ``synth.documents``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINES = [
    "城乡居民养老保险参保登记表",
    "申请人姓名：张三  性别：男  民族：汉",
    "公民身份号码：110101199003070011",
    "户籍地址：某某省某某市某某区某某街道",
    "联系电话：13800138000  邮政编码：100000",
    "申请事项：市域通办 异地代收 属地受理",
    "本人承诺所提供的材料真实有效。",
    "申请人签名：            日期：2024年3月1日",
]


def page_text(dpi: int = 100, size_mm: tuple[float, float] = (210, 297), lines: int = 14) -> list[str]:
    """The text lines ``render_page`` draws with the same arguments (the ground truth)."""
    return [LINES[0]] + [text for _, text in _body(dpi, size_mm, lines)]


def _body(dpi: int, size_mm: tuple[float, float], lines: int) -> list[tuple[int, str]]:
    """(y, text) of the body lines that fit above the table."""
    w, h = round(size_mm[0] / 25.4 * dpi), round(size_mm[1] / 25.4 * dpi)
    margin, step = w // 10, dpi * 22 // 72
    y, out = margin + dpi * 40 // 72, []
    for i in range(lines):
        if y > h - margin - 3 * step:
            break
        out.append((y, LINES[1 + i % (len(LINES) - 1)]))
        y += step
    return out


def render_page(dpi: int = 100, size_mm: tuple[float, float] = (210, 297), lines: int = 14) -> np.ndarray:
    """A white page (BGR uint8) with a title, body text lines and a table frame below them."""
    w, h = round(size_mm[0] / 25.4 * dpi), round(size_mm[1] / 25.4 * dpi)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    margin, step = w // 10, dpi * 22 // 72
    title = ImageFont.truetype(FONT, max(12, dpi * 22 // 72))
    body = ImageFont.truetype(FONT, max(10, dpi * 12 // 72))
    draw.text((margin, margin), LINES[0], font=title, fill="black")
    y = margin + dpi * 40 // 72
    for y, text in _body(dpi, size_mm, lines):
        draw.text((margin, y), text, font=body, fill="black")
    top = y + step + step // 2
    if top < h - margin - step:
        draw.rectangle([margin, top, w - margin, h - margin], outline="black", width=max(1, dpi // 100))
        draw.line([margin, (top + h - margin) // 2, w - margin, (top + h - margin) // 2], fill="black")
    return np.asarray(img)[:, :, ::-1].copy()
