"""The printed guide shows the station's county's own window address, phone and hours (6.3)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.visit.printing import PrintService
from kiosk.visit.submit import KioskRef
from shared_schema import Catalog

from .conftest import STATION

MATTER = "JC-RS-001"


def test_the_guide_printed_here_carries_this_county_s_phone(tmp_path: Path, catalog: Catalog) -> None:
    county = catalog.county_of(catalog.station(STATION).division_code)
    data = catalog.to_json_dict()
    matter = next(m for m in data["matters"] if m["code"] == MATTER)
    matter["county_overrides"] = [{"division_code": county, "consultation_phone": "0356-2020202"}]
    local = Catalog.parse(data)
    printing = PrintService(local, KioskRef("K1", STATION), PdfFilePrinter(tmp_path / "prints"))
    assert "0356-2020202" in _text(printing.guide(local.matter(MATTER)).pdf_path)
    elsewhere = next(s.code for s in local.stations if local.county_of(s.division_code) not in (county, None))
    there = PrintService(local, KioskRef("K2", elsewhere), PdfFilePrinter(tmp_path / "there"))
    assert "0356-2020202" not in _text(there.guide(local.matter(MATTER)).pdf_path)  # the city's phone there


def _text(path: Path) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)
