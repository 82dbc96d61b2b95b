"""What keeps the app's own memory small on screen: the type scale's few font faces (each
open CJK face costs ~2.5-4 MB), none below the 28 px minimum (the end-to-end visit checks
the faces really opened), and the receipt QR drawn without Kivy's image loaders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp

from kiosk.ui import theme
from kiosk.visit import render_child

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def test_every_request_lands_on_a_face_of_the_scale():
    for size in range(0, 80):
        for bold in (False, True):
            px, heavy = theme.face(size, bold)
            assert (px, heavy) in theme.NORMAL_FACES and px >= 28
    assert len(theme.NORMAL_FACES) <= 4
    assert theme.face(28) == (28, False) and theme.face(28, True) == (32, True)
    assert theme.face(40, True) == (32, True) and theme.face(60) == (44, True)


def test_the_accessibility_mode_has_its_own_larger_scale():
    """Four more faces, open only while a resident uses the mode (closed when it ends:
    ``test_faces.py`` and the end-to-end visit); each step larger."""
    theme.set_accessible(True)
    try:
        found = {theme.face(size, bold) for size in range(0, 80) for bold in (False, True)}
        assert found == set(theme.ACCESSIBLE_FACES) and len(found) <= 4
        assert theme.face(theme.TEXT_PX) == (36, False) and theme.face(theme.TITLE_PX) == (52, True)
        assert theme.button_px() == 40 and theme.INK == (0, 0, 0, 1)
    finally:
        theme.set_accessible(False)
    assert theme.face(theme.TEXT_PX) == (28, False) and theme.button_px() == 32


def test_screens_use_the_scale_not_sizes_of_their_own():
    odd = re.compile(r"font_size\s*=\s*\d|_PX\s*[-+*]")  # a size outside the scale
    found = [
        f"{path.relative_to(KIOSK)}:{n}: {line.strip()}"
        for folder in ("screens", "ui")
        for path in sorted((KIOSK / folder).glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if odd.search(line)
    ]
    assert found == []


def test_the_receipt_qr_is_drawn_from_its_modules_and_reads_back():
    from PIL import Image

    from kiosk.ui.qr import qr_luminance

    number = "ZZ1305-K1-20250102-0001"
    side, data = qr_luminance(number)
    assert len(data) == side * side
    assert [c.text for c in zxingcpp.read_barcodes(Image.frombytes("L", (side, side), data))] == [number]


def test_forms_are_rendered_in_a_child_process(tmp_path, catalog):
    from kiosk.hardware.printer import PdfFilePrinter
    from kiosk.visit.printing import PrintService
    from kiosk.visit.submit import KioskRef

    matter = catalog.matters[0]
    printing = PrintService(catalog, KioskRef("K1", catalog.stations[0].code), PdfFilePrinter(tmp_path))
    outcome = printing.guide(matter)
    assert outcome.ok and outcome.pdf_path.read_bytes().startswith(b"%PDF")
    pdf, lines = render_child.render("guide", matter)
    assert pdf.startswith(b"%PDF") and lines[:2] == [matter.name, "办事指南"]
    with pytest.raises(render_child.RenderFailed):
        render_child.render("guide", "not a matter")  # the child's error reaches the caller
