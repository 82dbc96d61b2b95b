"""Fixtures for the imaging stages: small rendered pages and their virtual photographs."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.scan.synth.camera import SynthCapture, photograph, random_params
from kiosk.scan.synth.testpage import render_page

cv2.setNumThreads(1)  # the kiosk's two cores are shared; tests behave like it


@pytest.fixture(scope="session")
def page100() -> np.ndarray:
    """An A4 test page at 100 dpi (827×1169)."""
    return render_page(100)


@pytest.fixture(scope="session")
def page200() -> np.ndarray:
    """An A4 test page at 200 dpi, the pipeline's working resolution."""
    return render_page(200, lines=20)


@pytest.fixture(scope="session")
def snap(page100):
    """Photograph the 100-dpi page: ``snap(seed, **overrides)`` → SynthCapture (cached)."""
    cache: dict = {}

    def take(seed: int, frame=(1200, 900), doc=None, **overrides) -> SynthCapture:
        key = (seed, frame, id(doc), tuple(sorted(overrides.items())))
        if key not in cache:
            cache[key] = photograph(
                page100 if doc is None else doc, random_params(seed, frame, **overrides), seed
            )
        return cache[key]

    return take


@pytest.fixture(scope="session")
def page150() -> np.ndarray:
    return render_page(150, lines=20)


@pytest.fixture(scope="session")
def examine(page150):
    """Photograph the 150-dpi page on a 3 MP frame and run the imaging stages up to the
    quality gate: ``examine(seed, **overrides)`` → (QualityReport, Detection)."""
    from kiosk.scan.detect import detect_page, rectify
    from kiosk.scan.orient import orient
    from kiosk.scan.quality import assess

    def run(seed: int, image: np.ndarray | None = None, **overrides):
        if image is None:
            defaults = {
                "background": "dark",
                "fill": 0.85,
                "blur_sigma": 0.2,
                "glare": 0.0,
                "shadow": 0.0,
                "exposure": 1.0,
                "noise_sigma": 2.0,
                "folded_corner": None,
            }
            params = random_params(seed, (2000, 1500), **{**defaults, **overrides})
            image = photograph(page150, params, seed).image
        found = detect_page(image)
        page = orient(rectify(image, found.quad)).image
        return assess(page, found, capture=image), found

    return run
