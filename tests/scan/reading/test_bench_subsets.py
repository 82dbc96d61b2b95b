"""Benchmark runs on other pages than the reported sets (``BENCH_SCAN_HARD_ONLY``,
``BENCH_SCAN_GATE_PAGES``, another split) print their report and leave BENCHMARKS.md
alone: a run on a few pages once replaced the 96-capture table it is compared with."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench import _scan_hard, scan_gate
from bench._subset import page_subset


def test_subsets_take_indices_and_ranges():
    assert page_subset("3, 7,30-32") == {3, 7, 30, 31, 32}
    assert page_subset(" ") is None


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
