"""Every PDF form carries its own font: a printer without Chinese font packs prints it whole.

pdffonts must list every font as embedded, and a raster render by poppler (pdftoppm, as
a CUPS filter would) must carry the text: Tesseract finds the form's title on it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytesseract
import pytest

from shared_schema import Catalog
from shared_schema.forms import CorrectionNotice
from shared_schema.render import fonts
from shared_schema.render.correction_notice import render_correction_notice
from shared_schema.render.flow_card import render_flow_card
from shared_schema.render.guide import render_guide
from shared_schema.render.receipt_notice import render_receipt_notice
from shared_schema.render.transfer_slip import render_transfer_slip
from shared_schema.submission import CompletenessIssue

from .conftest import flow_card, receipt_notice, transfer_slip


def correction_notice() -> CorrectionNotice:
    issue = CompletenessIssue(
        code="missing_material", material_code="id_card", message="缺少居民身份证复印件"
    )
    return CorrectionNotice(
        applicant_name="李建国",
        matter_name="城乡居民基本养老保险参保登记",
        issues=[issue],
        unit="南义城村便民服务站",
        issued_on=date(2024, 6, 3),
    )


# form → (how to render it from the demo catalog, the title Tesseract must find)
FORMS: dict[str, tuple[Callable[[Catalog], bytes], str]] = {
    "receipt_notice": (lambda _c: render_receipt_notice(receipt_notice()), "申请材料接收通知书"),
    "transfer_slip": (lambda _c: render_transfer_slip(transfer_slip()), "申请材料转办单"),
    "flow_card": (lambda _c: render_flow_card(flow_card()), "审批流程登记卡"),
    "correction_notice": (lambda _c: render_correction_notice(correction_notice()), "申请材料补正告知书"),
    "guide": (lambda c: render_guide(c.matters[0]), "办事指南"),
}


def pdffonts_rows(pdf: Path) -> list[list[str]]:
    """pdffonts' table rows (after the two header lines), split on whitespace."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def first_page_text(pdf: Path, dpi: int = 150) -> str:
    """Tesseract's reading of poppler's raster of page 1 (sparse-text mode: the forms are
    mostly tables, where the default page layout analysis drops lines)."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(pdf), str(prefix)], check=True
    )
    (page,) = pdf.parent.glob(f"{prefix.name}-*.png")
    text = pytesseract.image_to_string(str(page), lang="chi_sim", config=f"--psm 11 --dpi {dpi}")
    return "".join(text.split())


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_font_is_embedded_and_poppler_draws_the_title(form, demo_catalog, tmp_path):
    render, title = FORMS[form]
    pdf = tmp_path / f"{form}.pdf"
    pdf.write_bytes(render(demo_catalog))
    rows = pdffonts_rows(pdf)
    assert rows, "pdffonts lists no font: the text would not print"
    # columns: name type [encoding words…] emb sub uni object ID → emb is the 5th from the end
    assert all(row[-5] == "yes" for row in rows), rows
    assert not any("STSong" in row[0] for row in rows)
    assert title in first_page_text(pdf)


def test_the_font_is_a_truetype_cjk_font_found_where_debian_puts_it():
    font = fonts.find_cjk_font()
    assert font.face.filename in {path for path, _ in fonts.KNOWN_FONTS}


def test_fontconfig_finds_one_when_the_known_paths_are_elsewhere():
    font = fonts.find_cjk_font(known=[])
    assert all(ord(ch) in font.face.charToGlyph for ch in fonts.PROBE)


def test_a_font_without_chinese_is_refused_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", str(no_fonts_config(tmp_path)))
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    with pytest.raises(fonts.FontMissing) as err:
        fonts.find_cjk_font(known=[(latin, 0)])
    assert "fonts-arphic-uming" in str(err.value) and "DejaVuSans.ttf#0: no glyph for" in str(err.value)


def test_no_cjk_font_fails_loudly_naming_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", str(no_fonts_config(tmp_path)))
    with pytest.raises(fonts.FontMissing, match="apt-get install fonts-arphic-uming"):
        fonts.find_cjk_font(known=[(str(tmp_path / "absent.ttc"), 0)])


def no_fonts_config(tmp_path: Path) -> Path:
    """A fontconfig setup with one empty font folder: fc-list then knows no font at all."""
    (tmp_path / "fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "fonts"}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf
