"""End to end: synthetic captures through every stage, and a failing stage as a result."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.scan import pipeline as pipeline_module
from kiosk.scan.geometry import quad_iou
from kiosk.scan.pipeline import Pipeline, page_size
from kiosk.scan.synth.camera import CameraParams, photograph
from kiosk.scan.types import Capture

FRAME = (2400, 1800)


@pytest.fixture(scope="module")
def pipe(matter, tmp_path_factory):
    return Pipeline(requirements=list(matter.guide.materials), out_dir=tmp_path_factory.mktemp("pages"))


def shot(doc, rotation: int, seed: int):
    params = CameraParams(frame=FRAME, rotation=rotation, tilt_x=12, tilt_y=-8, roll=4, fill=0.85,
                          background="textured", noise_sigma=2, jpeg_quality=90)  # fmt: skip
    return photograph(doc.image, params, seed=seed)


@pytest.mark.parametrize(("kind", "rotation"), [("id_card_front", 90), ("application_form", 180)])
def test_capture_to_classified_checked_stored_page(pipe, docs, kind, rotation):
    doc = docs[kind]
    capture = shot(doc, rotation, seed=11)
    page = pipe.process(Capture(capture.image, f"{kind}.jpg"))
    assert page.ok, page.problems
    assert quad_iou(np.array(page.quad), capture.quad) > 0.95
    assert page.rotation == rotation
    assert page.material.code == kind
    assert page.fields["id_number"] == doc.fields["id_number"]
    stored = page.stored
    assert stored["bytes"] < 100_000 and stored["format"] in ("png", "tiff", "webp", "jpeg")
    with open(stored["path"], "rb") as fh:
        assert len(fh.read()) == stored["bytes"]
    assert {
        "detect",
        "rectify",
        "orient",
        "quality",
        "ocr",
        "codes",
        "extract",
        "classify",
        "compress",
    } <= set(page.timings_ms)
    assert page.timings_ms["total"] >= page.timings_ms["ocr"]
    out = page.to_dict()
    assert out["material"]["code"] == kind and out["text"] and out["image"] == stored


def test_failing_stage_is_a_page_problem_not_an_exception(docs, monkeypatch, matter):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated crash in a native library")

    monkeypatch.setattr(pipeline_module.codes_stage, "read_codes", broken)
    page = Pipeline(requirements=list(matter.guide.materials)).process(
        Capture(docs["id_card_back"].image, "x")
    )
    assert not page.ok and [p.code for p in page.problems] == ["codes_failed"]
    assert page.problems[0].message and "codes" in page.timings_ms and page.stored is None


def test_page_size_from_quad():
    square_on = np.array([[100, 100], [956, 100], [956, 640], [100, 640]], float)  # 85.6 : 54
    assert page_size(square_on, (1000, 1200)) == "id_card"
    a4 = np.array([[100, 100], [800, 100], [800, 1090], [100, 1090]], float)
    assert page_size(a4, (1200, 1000)) == "a4"


def test_rejected_capture_stops_its_ocr_and_reports_only_the_gate(docs, matter):
    """The quality gate runs beside the OCR; a page it rejects cancels the OCR (which is
    not then reported as an OCR failure), and compression never runs; its codes are still
    read (a resident's QR code on a page the gate dislikes)."""
    tess = Pipeline(engine="tesseract", requirements=list(matter.guide.materials))
    capture = photograph(  # too dark: a refusal no reading can overturn (soft print is read first)
        docs["flow_card"].image, CameraParams(frame=FRAME, fill=0.85, exposure=0.18), seed=5
    )
    page = tess.process(Capture(capture.image, "dark.jpg"))
    assert not page.ok and [p.code for p in page.problems] == ["too_dark"]
    assert page.stored is None and "codes" in page.timings_ms and "compress" not in page.timings_ms
    assert page.ocr is not None and page.ocr.error in (None, "cancelled")


@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_text_page_is_stored_as_its_engine_read_it(engine):
    """The stored gray page is the OCR engine's own input (``OcrEngine.prepare``), so a
    shadow Tesseract had divided out is gone from its stored page but kept in RapidOCR's."""
    import cv2

    gray = np.full((2339, 1654), 220, np.uint8)
    gray[300:330, 200:1400] = 40
    shadowed = (gray * np.linspace(0.35, 1.0, 2339)[:, None]).astype(np.uint8)
    pipe = Pipeline(engine=engine)
    page = np.dstack([shadowed] * 3)
    packed = pipe._pack(page, page, "gray", "a4")  # no red ink: the page as read is the page
    stored = cv2.imdecode(np.frombuffer(packed.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    read = pipe.ocr.prepare(shadowed).astype(int)
    assert np.abs(stored.astype(int) - read).mean() < 2.5
    assert (np.median(stored[:200]) > 200) == (engine == "tesseract")
