"""Benchmark runs on other pages than the reported sets (``BENCH_SCAN_HARD_ONLY``,
``BENCH_SCAN_GATE_PAGES``, another split) print their report and leave BENCHMARKS.md
alone: a run on a few pages once replaced the 96-capture table it is compared with."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import bench.__main__ as bench_main
from bench import _scan_hard, scan, scan_gate
from bench._subset import page_subset
from kiosk.scan.types import PageResult


def test_subsets_take_indices_and_ranges():
    assert page_subset("3, 7,30-32") == {3, 7, 30, 31, 32}
    assert page_subset(" ") is None


@pytest.fixture(autouse=True)
def _both_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from the reported runs' engines, whatever the shell exported."""
    for name in ("BENCH_SCAN_ENGINES", "BENCH_SCAN_GATE_ENGINES"):
        monkeypatch.delenv(name, raising=False)


def test_hard_set_is_the_reported_96_unless_told(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BENCH_SCAN_HARD_ONLY", raising=False)
    monkeypatch.delenv("BENCH_SCAN_HARD_COUNT", raising=False)
    assert _scan_hard.hard_indices(_scan_hard.HARD_COUNT) == list(range(96))
    assert _scan_hard.partial() is None
    monkeypatch.setenv("BENCH_SCAN_HARD_ONLY", "96-98,5")
    assert _scan_hard.hard_indices(_scan_hard.HARD_COUNT) == [5, 96, 97, 98]
    assert _scan_hard.partial() == "BENCH_SCAN_HARD_ONLY=96-98,5"


def test_gate_run_is_partial_off_the_eval_set(monkeypatch: pytest.MonkeyPatch):
    for name in ("BENCH_SCAN_GATE_PAGES", "BENCH_SCAN_GATE_SPLIT", "BENCH_SCAN_GATE_COUNT"):
        monkeypatch.delenv(name, raising=False)
    assert scan_gate.partial() is None
    monkeypatch.setenv("BENCH_SCAN_GATE_SPLIT", "eval")  # the default, said out loud
    assert scan_gate.partial() is None
    monkeypatch.setenv("BENCH_SCAN_GATE_SPLIT", "tune")
    assert scan_gate.partial() == "BENCH_SCAN_GATE_SPLIT=tune"


@pytest.mark.parametrize("only", ["", "37"])
def test_only_the_reported_set_is_written(
    only: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "BENCHMARKS.md"
    kept = "<!-- bench:scan_ids -->\nthe 96-capture table\n<!-- /bench:scan_ids -->\n"
    out.write_text(kept, encoding="utf-8")
    monkeypatch.setattr(bench_main, "OUT", out)
    monkeypatch.setattr(_scan_hard, "run", lambda engines, tmp: ["## this run's table"])
    monkeypatch.setenv("BENCH_SCAN_HARD_ONLY", only)
    monkeypatch.delenv("BENCH_SCAN_HARD_COUNT", raising=False)
    assert bench_main.main(["scan_ids"]) == 0
    printed = capsys.readouterr().out
    if only:
        assert out.read_text(encoding="utf-8") == kept
        assert "## this run's table" in printed and "not written to BENCHMARKS.md" in printed
    else:
        assert "## this run's table" in out.read_text(encoding="utf-8")
        assert "the 96-capture table" not in out.read_text(encoding="utf-8")


def test_scan_run_is_partial_off_the_reported_count(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BENCH_SCAN_COUNT", raising=False)
    assert scan.partial() is None
    monkeypatch.setenv("BENCH_SCAN_COUNT", "4")
    assert scan.partial() == "BENCH_SCAN_COUNT=4"


def test_a_run_without_an_engine_is_partial(monkeypatch: pytest.MonkeyPatch):
    """A reported table has a column per engine: a run with one engine would drop the other's."""
    monkeypatch.delenv("BENCH_SCAN_COUNT", raising=False)
    monkeypatch.setenv("BENCH_SCAN_ENGINES", "rapidocr,tesseract")  # both, in any order
    assert scan.partial() is None and _scan_hard.partial() is None and scan_gate.partial() is None
    monkeypatch.setenv("BENCH_SCAN_ENGINES", "rapidocr")
    assert scan.partial() == "without tesseract" and _scan_hard.partial() == "without tesseract"
    monkeypatch.setenv("BENCH_SCAN_GATE_ENGINES", "tesseract")  # the gate's own setting comes first
    assert scan_gate.partial() == "without rapidocr"


def test_latency_is_each_side_fastest_and_the_first_kept(monkeypatch: pytest.MonkeyPatch):
    """Each page is timed ``LATENCY_RUNS`` times alternating with the bare run; the fastest
    of each side is compared, the first timings kept beside them."""
    totals = iter([0.9, 1.4])  # the re-runs' wall seconds (the first run's page is given)
    bares = iter([(1.0, 0.9), (0.7, 0.6), (0.8, 0.7)])  # wall, CPU of each bare run

    class Timed:
        def process(self, capture):
            return PageResult(source=capture.source, timings_ms={"total": 1000 * next(totals)})

    monkeypatch.setattr(scan, "LATENCY_RUNS", 3)
    monkeypatch.setattr(scan, "bare_tesseract", lambda image, dpi: next(bares))
    sample = scan.Sample(
        doc=SimpleNamespace(kind="receipt_notice"), capture=np.zeros((4, 4), np.uint8), quad=np.zeros((4, 2))
    )
    first = PageResult(source="p", timings_ms={"total": 1200.0})
    s = scan.Scores()
    scan._time_again(Timed(), sample, 0, first, 2.0, 200.0, s)
    assert (s.first_latency, s.first_bare) == ([1.2], [1.0])
    assert (s.latency, s.bare, s.bare_cpu) == ([0.9], [0.7], [0.6])
    assert scan._ratios(s) == [0.9 / 0.7] and scan._ratios(s, first=True) == [1.2]


@pytest.mark.parametrize("only", ["", "3,5"])
def test_reported_hard_run_reads_the_held_out_seeds_beside_it(
    only: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The held-out seeds 96-191 are read in the same run as the reported 96 captures (a
    check on tuning to the hard set); a run on a subset reads that subset alone."""
    asked: list[list[int]] = []
    monkeypatch.setattr(_scan_hard, "hard_shots", lambda indices: asked.append(indices) or [])
    monkeypatch.setattr(_scan_hard, "measure_hard", lambda engine, shots, out: _scan_hard.HardScores())
    monkeypatch.setenv("BENCH_SCAN_HARD_ONLY", only)
    monkeypatch.delenv("BENCH_SCAN_HARD_COUNT", raising=False)
    report = "\n".join(_scan_hard.run(["rapidocr"], tmp_path))
    if only:
        assert asked == [[3, 5]] and "Held-out" not in report
    else:
        assert asked == [list(range(96)), list(range(96, 192))] and "**Held-out seeds**" in report
