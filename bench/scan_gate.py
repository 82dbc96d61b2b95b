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
``BENCH_SCAN_GATE_CACHE=dir`` stores every reading and judges stored ones again
(``bench/_gate_cache.py``): compare reliability rules on ``tune`` in seconds. A run of other
pages than the 50 ``eval`` ones prints its report and leaves BENCHMARKS.md alone.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench._gate_cache import Cache, Reading
from bench._subset import bench_engines, page_subset, partial_because
from kiosk.scan import quality, settle
from kiosk.scan.pipeline import Pipeline
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.documents import Document, corpus
from kiosk.scan.synth.matter import requirements
from kiosk.scan.synth.metrics import cer
from kiosk.scan.types import Capture, Problem

GATE_COUNT = 50  # the reported set: eval captures 0–49
GATES = ("before", "now")
Settle = Callable[..., list[Problem]]  # ``settle.settle``'s shape: the doubts that stand
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
    """Captures of the benchmark's documents (``take``). ``pages``: only these (by index),
    each as in the whole set."""
    docs = corpus(count, seed=SPLITS[split][0])
    return [take(doc, i, split) for i, doc in enumerate(docs) if pages is None or i in pages]


def take(doc: Document, i: int, split: str) -> Shot:
    """Page ``i`` of a split: a fifth each as the main set takes them (random settings),
    near the edge with the print inside (2–6 % of the page beyond a border), across it
    (10–25 %), glare on a margin (below the print, or beside it) and glare on the print."""
    _doc_seed, cam_seed, place_seed = SPLITS[split]
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
    taken = photograph(doc.image, params, seed, text=doc.text_mask())
    return Shot(doc, taken.image, condition, taken.print_inside, i, bool(taken.text_inside))


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


def read_page(
    pipe: Pipeline, shot: Shot, by_code: dict[str, Any], reports: dict[str, Any]
) -> tuple[Reading, np.ndarray | None]:
    """One page read in full by ``pipe`` (whose gate records both gates' reports in
    ``reports``), with the truth it is judged by; and the rectified page."""
    reports.clear()
    page = pipe.process(Capture(shot.image, f"gate-{shot.index}"))
    requirement = by_code.get(page.material.code) if page.material else None
    gate_ms = page.timings_ms.get("quality", 0.0) + page.timings_ms.get("settle", 0.0)
    reading = Reading(
        shot.index, shot.doc.kind, shot.condition, shot.truth_inside, shot.content_inside,
        right(shot, page), cer(shot.doc.text, page.ocr.text) if page.ocr else 1.0, page.ocr,
        dict(page.fields), settle.expected_labels(requirement),
        {name: reports.get(name) for name in GATES}, gate_ms,
    )  # fmt: skip
    reading.load = os.getloadavg()[0]
    return reading, page.image


def refused(reading: Reading, gate: str, judge: Settle = settle.settle) -> bool:
    """Whether ``gate`` (with the reading's ``judge``) refused the page; a page that failed
    before the gate is refused."""
    report = reading.reports.get(gate)
    if report is None or report.problems or reading.ocr is None:
        return True
    return bool(judge(report.doubts, reading.ocr, reading.fields, reading.expected, report.print_hidden))


def judge_readings(readings: list[Reading], judge: Settle = settle.settle) -> dict[str, Verdicts]:
    """Both gates' verdicts on the readings, the doubts settled by ``judge``."""
    result = {name: Verdicts() for name in GATES}
    for r in readings:
        for name, tally in result.items():
            no = refused(r, name, judge)
            tally.add(no, r.right, r.condition, r.print_inside, r.content_inside)
            tally.gate_ms.append(r.gate_ms)
            conf = r.ocr.confidence if r.ocr else None
            page_of = f"#{r.index} {r.kind} ({r.condition})"
            if name == "now" and not no and not r.right:
                tally.wrong_accepted.append(f"{page_of}: conf. {conf}")
            if name == "now" and no and r.right:
                report = r.reports.get(name)
                why = [p.code for p in report.problems + report.doubts] if report else ["no page"]
                cut = (
                    ""
                    if r.content_inside
                    else ", content beyond the frame (generator truth; not in the target)"
                )
                tally.false_rejects.append(f"{page_of}: {why}, conf. {conf}{cut}")
    return result


def gather(
    engine: str, shots: dict[int, Shot], indices: list[int], out_dir: Path, cache: Cache | None
) -> list[Reading]:
    """Every page's reading: stored ones from ``cache``, the rest read (and stored)."""
    stored = {i: cache.load(i) for i in indices} if cache else {}
    missing = [i for i in indices if stored.get(i) is None]
    if missing:
        reports: dict[str, Any] = {}

        def recording_gate(*args: Any) -> quality.QualityReport:
            reports["now"] = quality.assess(*args)
            reports["before"] = quality.assess_before_issue_13(*args)
            return quality.QualityReport()  # read the page whatever the gates said

        reqs = requirements()
        pipe = Pipeline(engine=engine, requirements=reqs, out_dir=out_dir, gate=recording_gate)
        by_code = {r.code: r for r in reqs}
        for i in missing:
            reading, image = read_page(pipe, shots[i], by_code, reports)
            if cache:
                cache.save(reading, image)
            stored[i] = reading
    return [stored[i] for i in indices]  # type: ignore[misc]


def measure_gate(engine: str, shots: list[Shot], out_dir: Path) -> dict[str, Verdicts]:
    """Both gates' verdicts on every page, each page read in full."""
    readings = gather(engine, {s.index: s for s in shots}, [s.index for s in shots], out_dir, None)
    return judge_readings(readings)


def _rate(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}% ({n}/{d})" if d else "n/a"


def gate_table(results: dict[str, dict[str, Verdicts]]) -> list[str]:
    names = list(results)
    head = ["| measure | " + " | ".join(f"{e}: before | {e}: now" for e in names) + " |",
            "|---|" + "---|---|" * len(names)]  # fmt: skip
    rows = [
        ("false rejects: refused ÷ pages read right with every character and code inside the frame "
         "(target ≤ 5%)", lambda v: _rate(v.refused_right_content, v.right_content)),
        ("  context: by CER alone, refused ÷ pages read right (counts pages the frame cut whose "
         "visible part read within 5 % CER: refusing those is right, their text is not whole)",
         lambda v: _rate(v.refused_right, v.refused_right + v.accepted_right)),
        ("true rejects: refused, reading wrong ÷ pages read wrong",
         lambda v: _rate(v.refused_wrong, v.refused_wrong + v.accepted_wrong)),
        ("wrong readings accepted (target: no more than before)", lambda v: str(v.accepted_wrong)),
        ("accepted with characters or codes beyond the frame (read right or not; must be 0)",
         lambda v: str(v.accepted_content_cut)),
        ("pages refused, of all", lambda v: _rate(v.refused_right + v.refused_wrong, v.total)),
        ("false rejects of pages with all their print inside the frame (generator truth)",
         lambda v: _rate(v.refused_right_inside, v.right_inside)),
        ("accepted with print beyond the frame (read right or not)", lambda v: str(v.accepted_cut)),
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
        f"{100 * RIGHT_CER:.0f} % and every printed identifier is exact. The target row counts, as "
        "the issue defines it, the pages read right *with every character and code inside the "
        "frame* (the generator's truth; *content* is every character and code drawn, not rules, "
        "borders or seals): a page whose print the frame cut cannot be read right, whatever the "
        "CER of the part inside, and refusing it is what the issue asks. The row by CER alone "
        "beside it is context: there, a page that lost a few characters to the frame counts as "
        "read right, so refusing it counts as a false reject. *before*: "
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


def partial() -> str | None:
    """Why this run is not the reported set, the 50 ``eval`` pages (``python -m bench`` then
    prints its report and leaves BENCHMARKS.md alone), or None."""
    reported = {"BENCH_SCAN_GATE_SPLIT": "eval", "BENCH_SCAN_GATE_COUNT": str(GATE_COUNT)}
    engines = bench_engines("BENCH_SCAN_GATE_ENGINES", "BENCH_SCAN_ENGINES")
    return partial_because({"BENCH_SCAN_GATE_PAGES": "", **reported}, engines)


def run() -> str:
    count = int(os.environ.get("BENCH_SCAN_GATE_COUNT", str(GATE_COUNT)))
    split = os.environ.get("BENCH_SCAN_GATE_SPLIT", "eval")
    engines = ",".join(bench_engines("BENCH_SCAN_GATE_ENGINES", "BENCH_SCAN_ENGINES"))
    pages = page_subset(os.environ.get("BENCH_SCAN_GATE_PAGES", ""))
    indices = [i for i in range(count) if pages is None or i in pages]
    root = os.environ.get("BENCH_SCAN_GATE_CACHE")
    caches = {e: Cache(Path(root), split, e) if root else None for e in engines.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        readings = read_engines(caches, split, count, indices, Path(tmp))
    results = {e: judge_readings(r) for e, r in readings.items()}
    machine = machine_note([r for rs in readings.values() for r in rs])
    lines = [*report(results, len(indices), split), "", machine]
    if root:
        lines.append(stored_note(caches))
    return "\n".join(lines)


def machine_note(readings: list[Reading]) -> str:
    """The load the pages were read at (stored with each reading) and the load now."""
    loads = [r.load for r in readings if r.load is not None]
    read = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "not recorded"
    end = os.getloadavg()[0]
    return f"Machine load (1-min average) while the pages were read: {read}; at the end: {end:.1f}."


def stored_note(caches: dict[str, Cache | None]) -> str:
    """Which scan code's readings were judged (``BENCH_SCAN_GATE_CACHE``)."""
    stale = sorted({s for c in caches.values() if c for s in c.stale_seen})
    current = next(c.current for c in caches.values() if c)
    old = f"; some readings by other scan code ({', '.join(stale)}), loaded on request" if stale else ""
    return (
        f"Readings of scan code {current}, stored (`BENCH_SCAN_GATE_CACHE`): a page stored before "
        f"is judged again, not read again{old}."
    )


_SHOTS: dict[int, Shot] = {}  # the captures, inherited by the forked workers rather than pickled (~1 GB)


def _gather(engine: str, cache: Cache | None, indices: list[int], out_dir: Path) -> list[Reading]:
    return gather(engine, _SHOTS, indices, out_dir, cache)


def read_engines(
    caches: dict[str, Cache | None], split: str, count: int, indices: list[int], out_dir: Path
) -> dict[str, list[Reading]]:
    """Each engine's readings, the pages not stored read in their own forked process per
    engine (``BENCH_SCAN_GATE_PARALLEL``, default 1): the engines' runs are independent,
    and the machine has two cores; the gate's own time per page is then measured beside
    the other engine's work, as on the kiosk beside the OCR."""
    missing = {i for c in caches.values() for i in indices if c is None or c.load(i) is None}
    docs = corpus(count, seed=SPLITS[split][0])
    _SHOTS.clear()
    _SHOTS.update({i: take(docs[i], i, split) for i in sorted(missing)})
    engines = list(caches)
    if os.environ.get("BENCH_SCAN_GATE_PARALLEL", "1") != "1" or len(engines) < 2 or not missing:
        return {e: _gather(e, caches[e], indices, out_dir / e) for e in engines}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(engines), mp_context=context) as pool:
        futures = {e: pool.submit(_gather, e, caches[e], indices, out_dir / e) for e in engines}
        return {e: f.result() for e, f in futures.items()}


if __name__ == "__main__":
    print(run())
