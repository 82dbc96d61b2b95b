"""Measure the quality gate's metrics against Tesseract's character error rate.

``python -m kiosk.scan.synth.calibrate`` photographs the test page with one defect
swept from mild to severe, runs detection, rectification and orientation, prints each
quality metric beside the CER of ``chi_sim`` OCR on the rectified page. The thresholds in
``kiosk/scan/quality.py`` sit where the CER starts to climb (docs/scanning.md).
Slow (one OCR per row, about a minute in all); not part of the tests.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import cv2

from ..detect import detect_page, rectify
from ..orient import orient
from ..quality import assess
from .camera import photograph, random_params
from .metrics import cer
from .testpage import page_text, render_page

SWEEPS: dict[str, tuple[str, list[Any]]] = {
    "blur": ("blur_sigma", [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.1]),
    "exposure": ("exposure", [0.15, 0.25, 0.35, 0.5, 0.8, 1.2, 1.6, 2.2]),
    "veil": ("veil", [0.0, 0.2, 0.35, 0.5, 0.65]),
    "glare": ("glare", [0.0, 0.02, 0.04, 0.08, 0.15]),
    "fill": ("fill", [0.3, 0.36, 0.42, 0.5, 0.65, 0.8]),
}


def ocr(image) -> str:
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract.image_to_string(image, lang="chi_sim", config="--psm 6 --dpi 200")


def run(frame: tuple[int, int] = (2400, 1800), seed: int = 3) -> list[dict[str, Any]]:
    doc, truth = render_page(200, lines=12), "".join(page_text(200, lines=12))
    rows = []
    for name, (param, values) in SWEEPS.items():
        for value in values:
            params = random_params(
                seed,
                frame,
                rotation=0,
                background="plain",
                shadow=0.0,
                glare=0.0,
                blur_sigma=0.2,
                exposure=1.0,
                fill=0.8,
                tilt_x=8.0,
                tilt_y=5.0,
            )
            params = params.__class__(**{**params.__dict__, param: value})
            cap = photograph(doc, params, seed)
            det = detect_page(cap.image)
            page = orient(rectify(cap.image, det.quad)).image
            report = assess(page, det)
            row = {"sweep": name, f"{param}=": value, "cer": round(cer(truth, ocr(page)), 3)}
            row |= {k: round(v, 3) for k, v in report.metrics.items()}
            row["problems"] = ",".join(p.code for p in report.problems + report.doubts)
            rows.append(row)
            print(row, flush=True)
    return rows


if __name__ == "__main__":
    cv2.setNumThreads(1)
    run(seed=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
