"""Quality gate: is a rectified page good enough to OCR and file, and if not, what should
the resident do about it?

Every check measures one thing on the rectified page (known DPI, so one threshold fits all
cameras) or on the detection, and yields a reason code plus a short Chinese instruction.
The thresholds were measured on generated captures against Tesseract's character error
rate; docs/scanning.md has the numbers. A page with any problem is ``ok == False``: the
kiosk asks for a retake or lets staff override, it never files a bad page silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .detect import PAGE_SIZES, Detection
from .types import Problem

MESSAGES = {
    "blurry": "图像模糊，请保持材料平稳后重拍",
    "too_dark": "光线太暗，请打开灯或移到亮处",
    "overexposed": "光线太强，画面发白，请避开直射的灯光",
    "glare": "有反光，请调整角度避开灯光",
    "cut_off": "材料没有完整放入取景框，请把材料放平放正",
    "low_resolution": "分辨率太低，请靠近一些",
    "no_page": "没有找到材料，请把材料放在取景框中间",
    "blank": "没有看到文字，请确认材料正面朝上",
}

# Thresholds (see docs/scanning.md, "Imaging", for how each was measured)
MAX_BLUR_PX = 2.4  # estimated edge blur (Gaussian sigma, px at the page's DPI)
MIN_PAPER = 70  # paper darker than this (0–255) is too dark
MIN_CONTRAST = 50  # paper minus ink; less is dim light, washed out or a blank page
OVEREXPOSED_PAPER = 240  # paper at least this bright …
OVEREXPOSED_INK = 150  # … and even the darkest print no darker than this: washed out
BLANK_CONTRAST = 20  # less than this between paper and darkest print: nothing printed
GLARE_CELL_SHARE = 0.01  # share of the page's cells burnt out while most paper is not
GLARE_PAPER_MAX = 238  # median paper brighter than this: overexposed, not glare
MIN_DPI = {"a4": 90, "id_card": 150}  # pixels per inch the camera must give the page
STRIPE = 256  # rows per stripe of the blur measure


def problem(code: str) -> Problem:
    return Problem(code, MESSAGES[code])


@dataclass
class QualityReport:
    problems: list[Problem] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _levels(gray: np.ndarray) -> tuple[float, float]:
    """(paper, ink): the page's typical light level and the level of its darkest print."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().cumsum()  # no int64 copy of the page
    n = hist[-1]
    paper = float(np.searchsorted(hist, 0.75 * n))
    ink = float(np.searchsorted(hist, 0.005 * n))
    return paper, ink


def blur_px(gray: np.ndarray, contrast: float) -> float:
    """Estimated blur of the print's edges, as a Gaussian sigma in pixels.

    A step edge of height C blurred by sigma has a steepest slope of C / (sigma·√(2π)), so
    sigma ≈ C / (√(2π) · strongest slope). Using the strongest slopes (99.7th percentile)
    and the page's own contrast makes it independent of how much text there is and how
    bright the light was; a light smoothing first keeps sensor noise from posing as edges.
    """
    if contrast <= 1:
        return float("inf")
    hist = np.zeros(1024, np.float64)
    h = gray.shape[0]
    for top in range(0, h, STRIPE):  # in stripes: float gradients of a whole page are ~50 MB
        lo, hi = max(0, top - 3), min(h, top + STRIPE + 3)  # 3 rows of context for the filters
        smooth = cv2.GaussianBlur(gray[lo:hi], (5, 5), 0.8)
        gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
        gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
        own = cv2.magnitude(gx, gy)[top - lo : top - lo + min(STRIPE, h - top)]
        hist += cv2.calcHist([own], [0], None, [1024], [0, 256]).ravel()  # fast percentile
    hist = hist.cumsum()
    slope = float(np.searchsorted(hist, 0.997 * hist[-1])) / 4
    sigma = contrast / (np.sqrt(2 * np.pi) * max(slope, 1e-6))
    return float(np.sqrt(max(sigma**2 - 0.8**2, 0.0)))  # remove our own smoothing


def glare_share(gray: np.ndarray) -> float:
    """Share of the page burnt out to white while most of the paper is not.

    Measured on a coarse grid of cell means, so white print-free margins of an evenly lit
    page (which are not clipped) and single clipped pixels do not count; when most cells
    are burnt out the whole page is overexposed, which is a different problem.
    """
    h, w = gray.shape
    cell = max(4, min(h, w) // 60)
    cells = cv2.resize(gray, (w // cell, h // cell), interpolation=cv2.INTER_AREA)
    if float(np.median(cells)) > GLARE_PAPER_MAX:
        return 0.0
    return float(np.mean(cells >= 250))


def effective_dpi(detection: Detection, page: str) -> float:
    """How many capture pixels per inch the page got: what the camera really resolved."""
    q = detection.quad
    across = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    down = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    w_mm, h_mm, _ = PAGE_SIZES[page]
    short, long = sorted((across, down))
    return float(min(short / (min(w_mm, h_mm) / 25.4), long / (max(w_mm, h_mm) / 25.4)))


def assess(
    page_image: np.ndarray,
    detection: Detection | None = None,
    page: str = "a4",
    capture_dpi: float | None = None,
) -> QualityReport:
    """Check a rectified page; ``detection`` (absent for flat scans) adds frame checks."""
    gray = page_image if page_image.ndim == 2 else cv2.cvtColor(page_image, cv2.COLOR_BGR2GRAY)
    m = max(2, round(0.02 * min(gray.shape)))  # the outermost strip may show the desk
    gray = gray[m:-m, m:-m]
    paper, ink = _levels(gray)
    contrast = paper - ink
    metrics = {"paper": paper, "ink": ink, "contrast": contrast}
    report = QualityReport(metrics=metrics)
    clipped = float(np.mean(gray >= 250))
    metrics["clipped"] = clipped
    if paper < MIN_PAPER or (contrast < MIN_CONTRAST and paper < 2 * MIN_PAPER):
        report.problems.append(problem("too_dark"))
    elif contrast < BLANK_CONTRAST:
        report.problems.append(problem("blank"))
    elif paper >= OVEREXPOSED_PAPER and ink > OVEREXPOSED_INK:
        report.problems.append(problem("overexposed"))
    elif contrast < MIN_CONTRAST:
        report.problems.append(problem("blank"))
    metrics["glare"] = glare_share(gray)
    if metrics["glare"] > GLARE_CELL_SHARE:
        report.problems.append(problem("glare"))
    metrics["blur_px"] = blur_px(gray, contrast)
    if metrics["blur_px"] > MAX_BLUR_PX and contrast >= MIN_CONTRAST:
        report.problems.append(problem("blurry"))
    if detection is not None:
        if detection.method == "none":
            report.problems.append(problem("no_page"))
        elif detection.touches and not detection.fills_frame:
            report.problems.append(problem("cut_off"))
        dpi = capture_dpi if detection.fills_frame and capture_dpi else effective_dpi(detection, page)
        metrics["effective_dpi"] = dpi
        if dpi < MIN_DPI.get(page, MIN_DPI["a4"]):
            report.problems.append(problem("low_resolution"))
    return report
