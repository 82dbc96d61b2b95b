"""Fixtures for the reading half of the scan pipeline: rendered documents (cached, since
rendering and OCR are the slow part) and the synthetic matter."""

from __future__ import annotations

import pytest

from kiosk.scan.ocr.tesseract import TesseractEngine
from kiosk.scan.synth.documents import Document, render
from kiosk.scan.synth.matter import synthetic_matter


@pytest.fixture(scope="session")
def docs() -> dict[str, Document]:
    """One document of every kind, seed 1."""
    from kiosk.scan.synth.documents import KINDS

    return {kind: render(kind, 1) for kind in KINDS}


@pytest.fixture(scope="session")
def tesseract() -> TesseractEngine:
    return TesseractEngine()


@pytest.fixture(scope="session")
def matter():
    return synthetic_matter()
