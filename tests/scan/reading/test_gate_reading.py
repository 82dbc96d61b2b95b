"""Issue 13: what the old gate refused needlessly is judged by the page's reading. A soft
page, a page whose blank margin runs out of the frame, glare on a margin: filed when the
reading is confident and its identifiers hold their check digits; refused with the gate's
own advice when not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.scan.pipeline import Pipeline
from kiosk.scan.quality import MESSAGES, problem
from kiosk.scan.settle import settle
from kiosk.scan.synth.camera import CameraParams, photograph, random_params
from kiosk.scan.synth.documents import render
from kiosk.scan.types import Capture, OcrResult

SOFT = CameraParams(frame=(2400, 1800), tilt_x=6, roll=2, fill=0.85, background="dark", blur_sigma=1.1,
                    noise_sigma=2, jpeg_quality=90)  # fmt: skip


@pytest.fixture(scope="module")
def pipe(matter, tmp_path_factory):
    return Pipeline(requirements=list(matter.guide.materials), out_dir=tmp_path_factory.mktemp("pages"))


def test_blurry_page_that_reads_right_is_accepted(pipe, docs):
    doc = docs["application_form"]
    page = pipe.process(Capture(photograph(doc.image, SOFT, seed=3).image, "soft.jpg"))
    report = pipe.gate(page.image, None)  # the page is soft enough for the old gate to refuse it
    assert [p.code for p in report.doubts] == ["blurry"], report.metrics
    assert page.ok, page.problems
    assert page.fields["id_number"] == doc.fields["id_number"]


@pytest.mark.parametrize("overrides", [{"overhang": ("top", 0.03)}, {"glare": 0.05, "glare_at": (0.5, 0.78)}])
def test_page_the_old_gate_refused_is_filed_when_read_right(pipe, overrides):
    doc = render("application_form", 4)  # a table in the upper half, blank paper below
    steady = {"background": "dark", "fill": 0.8, "blur_sigma": 0.2, "glare": 0.0, "shadow": 0.0,
              "exposure": 1.0, "noise_sigma": 2.0, "folded_corner": None}  # fmt: skip
    seed = 21 if "overhang" in overrides else 23
    params = random_params(seed, (2400, 1800), **{**steady, **overrides})
    page = pipe.process(Capture(photograph(doc.image, params, seed).image, "edge.jpg"))
    assert page.ok, page.problems
    assert page.fields["id_number"] == doc.fields["id_number"]


def reading(text: str, confidence: float | None) -> OcrResult:
    return OcrResult(text=text, confidence=confidence, engine="rapidocr", lines=text.splitlines())


def test_doubt_stands_when_the_reading_is_not_reliable():
    blurry = [problem("blurry")]
    text = "公民身份号码 140581199506174065"
    assert settle(blurry, reading(text, 98.0), {"id_number": "140581199506174065"}) == []
    assert settle(blurry, reading(text, 70.0), {"id_number": "140581199506174065"}) == blurry  # unsure
    assert settle(blurry, reading(text, 98.0), {"id_number_unverified": "140581199506174066"}) == blurry
    assert settle(blurry, reading("", None), {}) == blurry
    assert blurry[0].message == MESSAGES["blurry"] == "图像模糊，请保持材料平稳后重拍"


def test_tesseract_reading_needs_the_floor_set_on_the_tune_split():
    """Tesseract's doubted pages read wrong reached a mean confidence of 89.3 on the gate
    bench's tune split: 88 (above the old floor of 85) no longer settles a doubt, 91 does."""
    blurry = [problem("blurry")]
    text, fields = "公民身份号码 140581199506174065", {"id_number": "140581199506174065"}
    assert settle(blurry, replace(reading(text, 88.0), engine="tesseract"), fields) == blurry
    assert settle(blurry, replace(reading(text, 91.0), engine="tesseract"), fields) == []
