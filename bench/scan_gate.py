"""Issue 13's quality-gate set on its own: ``python -m bench scan_gate`` (~3–5 min).

Pages near and across the frame's edge, glare on the margins and on the print. Every page
is read whatever the gate says (the gate's verdicts are recorded, the OCR is never
cancelled), so each refusal can be judged: a *false reject* is a page the gate refused
whose reading was right, a *true reject* one whose reading was wrong, and a *wrong reading
accepted* one the gate let through although it was wrong. The gate before issue 13
(``quality.assess_before_issue_13``) is judged on the same pages in the same run.

Two splits of the same recipe: ``tune`` (other documents, other camera seeds), for choosing
thresholds, and ``eval`` (the default, the set the table reports).
Environment: ``BENCH_SCAN_GATE_COUNT`` (50), ``BENCH_SCAN_GATE_SPLIT`` (``eval`` | ``tune``),
``BENCH_SCAN_GATE_ENGINES`` (else ``BENCH_SCAN_ENGINES``, else ``tesseract,rapidocr``; run side by
side in two processes unless ``BENCH_SCAN_GATE_PARALLEL=0``) and, while
iterating, ``BENCH_SCAN_GATE_PAGES`` (a subset by index, e.g. ``3,7,30-37``; pages keep their
numbers): the full run reads 2 × 50 pages, ~30 min of CPU on a loaded machine.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.scan import quality, settle
from kiosk.scan.pipeline import Pipeline
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.documents import Document, corpus
from kiosk.scan.synth.matter import requirements
from kiosk.scan.synth.metrics import cer
from kiosk.scan.types import Capture

RIGHT_CER = 0.05  # a reading is right when its CER is at most this and every identifier is exact
CONDITIONS = ("as usual (random settings)", "near the edge, print inside", "across the edge, print cut",
              "glare on a margin", "glare on the print")  # fmt: skip
FRAME = (3264, 2448)  # 8 MP, as the main set
SPLITS = {"eval": (11, 3000, 0), "tune": (23, 9000, 10_000)}  # corpus seed, camera seed, placement seed


@dataclass
class Shot:
    doc: Document
    image: np.ndarray
    condition: str
    truth_inside: bool = True  # every printed pixel is inside the frame
    index: int = 0  # the page's number in its split (kept when a subset runs)
    content_inside: bool = True  # every character and code is inside the frame (a rule, a border may not be)


@dataclass
class Verdicts:
    """What one gate did with the pages, by whether their reading was right."""

    accepted_right: int = 0
    accepted_wrong: int = 0
    refused_right: int = 0
    refused_wrong: int = 0
    refused_by_condition: dict[str, list[int]] = field(default_factory=dict)  # condition → [refused, all]
    false_rejects: list[str] = field(default_factory=list)
    wrong_accepted: list[str] = field(default_factory=list)
    gate_ms: list[float] = field(default_factory=list)  # the gate's own time per page (quality + settle)
    accepted_cut: int = 0  # accepted although print lay beyond the frame (generator truth)
    right_inside: int = 0  # read right, all print inside the frame
    refused_right_inside: int = 0
    right_content: int = 0  # read right, every character and code inside the frame
    refused_right_content: int = 0
    accepted_content_cut: int = 0  # accepted although characters or codes lay beyond the frame

    @property
    def total(self) -> int:
        return self.accepted_right + self.accepted_wrong + self.refused_right + self.refused_wrong

    def add(
        self, refused: bool, right: bool, condition: str, print_inside: bool = True,
        content_inside: bool = True,
    ) -> None:  # fmt: skip
        self.accepted_cut += not refused and not print_inside
        self.right_inside += right and print_inside
        self.refused_right_inside += refused and right and print_inside
        self.accepted_content_cut += not refused and not content_inside
        self.right_content += right and content_inside
        self.refused_right_content += refused and right and content_inside
        if refused:
            self.refused_right += right
            self.refused_wrong += not right
        else:
            self.accepted_right += right
            self.accepted_wrong += not right
        tally = self.refused_by_condition.setdefault(condition, [0, 0])
        tally[0] += refused
        tally[1] += 1


def gate_shots(count: int, split: str = "eval", pages: set[int] | None = None) -> list[Shot]:
    """Captures of the benchmark's documents: a fifth each as the main set takes them
    (random settings), near the edge with the print inside (2–6 % of the page beyond a
    border), across it (10–25 %), glare on a margin (below the print, or beside it) and
    glare on the print. ``pages``: only these (by index), each as in the whole set."""
    doc_seed, cam_seed, place_seed = SPLITS[split]
    out = []
    for i, doc in enumerate(corpus(count, seed=doc_seed)):
        if pages is not None and i not in pages:
            continue
        rng = random.Random(place_seed + i)
        condition = CONDITIONS[i % len(CONDITIONS)]
        seed = cam_seed + i
        params = random_params(seed, frame=FRAME, glare=0.0)
        if condition.startswith("as usual"):
            params = random_params(seed, frame=FRAME)
        elif condition.startswith(("near", "across")):
            share = rng.uniform(0.02, 0.06) if condition.startswith("near") else rng.uniform(0.10, 0.25)
            params = replace(params, overhang=(rng.choice(("top", "right", "bottom", "left")), share))
        else:
            x0, y0, x1, y1 = _print_box(doc.image)
            if condition == "glare on a margin":
                below = (1 - y1) > 0.25  # a blank lower half, else a side margin
                at = ((x0 + x1) / 2, (y1 + 1) / 2) if below else (x0 / 2, rng.uniform(y0, y1))
            else:
                at = (rng.uniform(x0, x1), rng.uniform(y0, y1))
            params = replace(params, glare=rng.uniform(0.035, 0.06), glare_at=at)
        shot = photograph(doc.image, params, seed, text=doc.text_mask())
        out.append(Shot(doc, shot.image, condition, shot.print_inside, i, bool(shot.text_inside)))
    return out


def _print_box(image: np.ndarray) -> tuple[float, float, float, float]:
    """The print's bounding box on the flat page, as shares of its width and height."""
    gray = image.min(axis=2)
    ys, xs = np.nonzero(gray < 160)
    h, w = gray.shape
    return xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h


def right(shot: Shot, page: Any) -> bool:
    if page.ocr is None or page.ocr.error:
        return False
    doc = shot.doc
    exact = all(page.fields.get(k) == doc.fields[k] for k in ("id_number", "uscc") if k in doc.fields)
    return exact and cer(doc.text, page.ocr.text) <= RIGHT_CER


def measure_gate(engine: str, shots: list[Shot], out_dir: Path) -> dict[str, Verdicts]:
    """Both gates' verdicts on every page, each page read in full."""
    verdicts: dict[str, Any] = {}

    def recording_gate(*args: Any) -> quality.QualityReport:
        verdicts["now"] = quality.assess(*args)
        verdicts["before"] = quality.assess_before_issue_13(*args)
        return quality.QualityReport()  # read the page whatever the gates said

    reqs = requirements()
    by_code = {r.code: r for r in reqs}
    pipe = Pipeline(engine=engine, requirements=reqs, out_dir=out_dir, gate=recording_gate)
    result = {"before": Verdicts(), "now": Verdicts()}
    for shot in shots:
        i = shot.index
        verdicts.clear()
        page = pipe.process(Capture(shot.image, f"gate-{i}"))
        ok = right(shot, page)
        expected = settle.expected_labels(by_code.get(page.material.code) if page.material else None)
        for name, tally in result.items():
            report = verdicts.get(name)
            if report is None:  # no verdict: the page failed before the gate
                refused = True
            else:
                args = (report.doubts, page.ocr, page.fields, expected, report.print_hidden)
                doubts = settle.settle(*args) if page.ocr else [None]
                refused = bool(report.problems) or bool(doubts)  # the old gate had no doubts
            tally.add(refused, ok, shot.condition, shot.truth_inside, shot.content_inside)
            tally.gate_ms.append(page.timings_ms.get("quality", 0.0) + page.timings_ms.get("settle", 0.0))
            conf = page.ocr.confidence if page.ocr else None
            if name == "now" and not refused and not ok:
                tally.wrong_accepted.append(f"#{i} {shot.doc.kind} ({shot.condition}): conf. {conf}")
            if name == "now" and refused and ok:
                why = [p.code for p in report.problems + report.doubts] if report else ["no page"]
                cut = "" if shot.content_inside else ", content beyond the frame (generator truth)"
                page_of = f"#{i} {shot.doc.kind} ({shot.condition})"
                tally.false_rejects.append(f"{page_of}: {why}, conf. {conf}{cut}")
    return result


def _rate(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}% ({n}/{d})" if d else "n/a"


def gate_table(results: dict[str, dict[str, Verdicts]]) -> list[str]:
    names = list(results)
    head = ["| measure | " + " | ".join(f"{e}: before | {e}: now" for e in names) + " |",
            "|---|" + "---|---|" * len(names)]  # fmt: skip
    rows = [
        ("false rejects: refused, reading right ÷ pages read right (target ≤ 5%)",
         lambda v: _rate(v.refused_right, v.refused_right + v.accepted_right)),
        ("true rejects: refused, reading wrong ÷ pages read wrong",
         lambda v: _rate(v.refused_wrong, v.refused_wrong + v.accepted_wrong)),
        ("wrong readings accepted (target: no more than before)", lambda v: str(v.accepted_wrong)),
        ("pages refused, of all", lambda v: _rate(v.refused_right + v.refused_wrong, v.total)),
        ("false rejects of pages with all their print inside the frame (generator truth)",
         lambda v: _rate(v.refused_right_inside, v.right_inside)),
        ("accepted with print beyond the frame (read right or not)", lambda v: str(v.accepted_cut)),
        ("false rejects of pages with every character and code inside the frame (generator truth; "
         "refusing the others is right, the material is not whole)",
         lambda v: _rate(v.refused_right_content, v.right_content)),
        ("accepted with characters or codes beyond the frame (read right or not; must be 0)",
         lambda v: str(v.accepted_content_cut)),
    ]  # fmt: skip
    rows += [
        (f"  refused: {c}", lambda v, c=c: "{}/{}".format(*v.refused_by_condition.get(c, [0, 0])))
        for c in CONDITIONS
    ]
    out = head
    for label, fn in rows:
        cells = [fn(results[e][g]) for e in names for g in ("before", "now")]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    timing = [f"{statistics.median(results[e]['now'].gate_ms):.0f}" for e in names]
    out.append("| gate's time per page (quality + settle), median ms, both gates at once | "
               + " | ".join(f"{t} | {t}" for t in timing) + " |")  # fmt: skip
    return out


def report(results: dict[str, dict[str, Verdicts]], count: int, split: str) -> list[str]:
    lines = [
        "## Quality gate: needless retakes (issue 13)",
        "",
        f"{count} captures (8 MP, split `{split}`) of the benchmark's documents, a fifth each: random "
        "settings as in the main set, near the frame's edge with the print inside (2–6 % of the page "
        "beyond a border), across it (10–25 %), glare on a margin, glare on the print. Every page is "
        "read in full whatever the gate says; a reading is right when its CER ≤ "
        f"{100 * RIGHT_CER:.0f} % and every printed identifier is exact (so a page whose frame cut a "
        "rule or a few characters may be *right*: the rows on the generator's truth leave those "
        "out; *content* is every character and code drawn, not rules, borders or seals). *before*: "
        "the gate before issue 13 (any page touching the frame is cut off, glare anywhere rejects), "
        "kept as `quality.assess_before_issue_13`; *now*: print at the frame's border (not a red "
        "border, not the soft edge of a dark area) and glare that washes out a good part of the "
        "print refuse; a page out over one border is warped at its true scale, not stretched to a "
        "whole page; the rest is settled by the reading (confidence, per line too, the material's "
        "expected labels, identifiers' check digits; a glare doubt by its lines and identifiers, "
        "not the page's mean confidence, and by the labels only when the spot washed print out, a "
        "label counting as taken only when not even half of it was read). Thresholds: from first principles "
        "(glare refuses at 5 % of the print hidden, the bound on a right reading) or `tune`; these "
        "`eval` pages were looked at while the glare rule was designed, so they are not a "
        "held-out measurement: `BENCH_SCAN_GATE_SPLIT=tune` runs other documents and camera seeds.",
        "",
        *gate_table(results),
    ]
    for engine, gates_of in results.items():
        now = gates_of["now"]
        if now.false_rejects:
            lines += ["", f"{engine}: false rejects now: " + "; ".join(now.false_rejects)]
        if now.wrong_accepted:
            lines += ["", f"{engine}: wrong readings accepted now: " + "; ".join(now.wrong_accepted)]
    return lines


def page_subset(spec: str) -> set[int] | None:
    """``"3,7,30-37"`` → {3, 7, 30, …, 37}; empty → None (every page)."""
    pages: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lo, _, hi = part.partition("-")
        pages.update(range(int(lo), int(hi or lo) + 1))
    return pages or None


def run() -> str:
    count = int(os.environ.get("BENCH_SCAN_GATE_COUNT", "50"))
    split = os.environ.get("BENCH_SCAN_GATE_SPLIT", "eval")
    engines = os.environ.get("BENCH_SCAN_GATE_ENGINES") or os.environ.get(
        "BENCH_SCAN_ENGINES", "tesseract,rapidocr"
    )
    pages = page_subset(os.environ.get("BENCH_SCAN_GATE_PAGES", ""))
    shots = gate_shots(count, split, pages)
    if pages is not None:
        count = len(shots)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        results = measure_engines(engines.split(","), shots, Path(tmp))
    end = os.getloadavg()[0]
    machine = (
        f"Machine load (1-min average) when the pages were first read / at the end: {load:.1f} / {end:.1f}."
    )
    return "\n".join([*report(results, count, split), "", machine])


_SHOTS: list[Shot] = []  # the captures, inherited by the forked workers rather than pickled (~1 GB)


def _measure(engine: str, out_dir: Path) -> dict[str, Verdicts]:
    return measure_gate(engine, _SHOTS, out_dir)


def measure_engines(engines: list[str], shots: list[Shot], out_dir: Path) -> dict[str, dict[str, Verdicts]]:
    """Each engine in its own forked process (``BENCH_SCAN_GATE_PARALLEL``, default 1): the
    engines' runs are independent, and the machine has two cores; the gate's own time per
    page is then measured beside the other engine's work, as on the kiosk beside the OCR."""
    if os.environ.get("BENCH_SCAN_GATE_PARALLEL", "1") != "1" or len(engines) < 2:
        return {e: measure_gate(e, shots, out_dir / e) for e in engines}
    _SHOTS[:] = shots
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(engines), mp_context=context) as pool:
        futures = {e: pool.submit(_measure, e, out_dir / e) for e in engines}
        return {e: f.result() for e, f in futures.items()}


if __name__ == "__main__":
    print(run())
