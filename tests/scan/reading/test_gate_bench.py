"""The gate benchmark's bookkeeping (``bench/scan_gate.py``, ``bench/_gate_cache.py``): its
headline false-reject rate counts only pages whose every character and code lay inside the
frame (issue 13's definition), and stored readings are judged again without re-reading,
never mixed with readings of other scan code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench._gate_cache import Cache, Reading, StaleReading
from bench.scan_gate import gate_table, gather, judge_readings
from kiosk.scan.quality import QualityReport, problem
from kiosk.scan.types import OcrResult

ID_NUMBER = "140581199506174065"


def stored(index: int, *, right: bool, inside: bool = True, refuse: str = "", doubt: str = "",
           confidence: float = 97.0) -> Reading:  # fmt: skip
    """A stored reading of an ID number; ``refuse``: the gate's problem, ``doubt``: its doubt."""
    report = QualityReport(
        problems=[problem(refuse)] if refuse else [], doubts=[problem(doubt)] if doubt else []
    )
    ocr = OcrResult(f"公民身份号码 {ID_NUMBER}", confidence, "rapidocr", [f"公民身份号码 {ID_NUMBER}"])
    return Reading(
        index, "id_card_front", "near the edge, print inside", inside, inside, right, 0.0 if right else 0.2,
        ocr, {"id_number": ID_NUMBER}, [], {"before": report, "now": report}, 1.0,
    )  # fmt: skip


def _row(table: list[str], starts: str) -> list[str]:
    line = next(line for line in table if line.startswith(f"| {starts}"))
    return [cell.strip() for cell in line.strip("|").split("|")[1:]]


def test_target_counts_pages_read_right_with_their_content_inside():
    """Two pages read right and refused: one whole, one whose characters the frame cut
    (read within 5 % CER all the same). Only the whole one is a false reject by the issue's
    definition; the CER-only row, beside it as context, counts both."""
    readings = [
        stored(0, right=True, refuse="cut_off"),
        stored(1, right=True, inside=False, refuse="cut_off"),
        stored(2, right=True),
        stored(3, right=False, inside=False),  # accepted with content beyond the frame
    ]
    table = gate_table({"rapidocr": judge_readings(readings)})
    assert _row(table, "false rejects: refused ÷ pages read right with every character")[1] == "50.0% (1/2)"
    assert _row(table, "  context: by CER alone")[1] == "66.7% (2/3)"
    assert _row(table, "accepted with characters or codes beyond the frame")[1] == "1"


def test_stored_readings_are_judged_again_by_settle():
    """A doubt is settled on the stored reading each run: a confident reading files the
    page, a weak one keeps the doubt; a gate's problem refuses it whatever was read."""
    sure = stored(0, right=True, doubt="blurry")
    unsure = stored(1, right=True, doubt="blurry", confidence=70.0)
    refused = stored(2, right=True, refuse="cut_off")
    now = judge_readings([sure, unsure, refused])["now"]
    assert (now.accepted_right, now.refused_right) == (1, 2)
    assert [f.split(" ")[0] for f in now.false_rejects] == ["#1", "#2"]


def test_cache_keeps_a_reading_and_refuses_one_of_other_scan_code(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("BENCH_SCAN_GATE_CACHE_STALE", raising=False)
    page = np.full((40, 30, 3), 255, np.uint8)
    Cache(tmp_path, "tune", "rapidocr", current="aaa").save(stored(7, right=True), page)
    again = Cache(tmp_path, "tune", "rapidocr", current="aaa").load(7)
    assert again is not None and again.fields == {"id_number": ID_NUMBER} and again.stamp == "aaa"
    assert again.image is not None and again.image.exists()
    assert Cache(tmp_path, "tune", "rapidocr", current="aaa").load(8) is None
    assert Cache(tmp_path, "eval", "rapidocr", current="aaa").load(7) is None
    with pytest.raises(StaleReading):
        Cache(tmp_path, "tune", "rapidocr", current="bbb").load(7)
    asked = Cache(tmp_path, "tune", "rapidocr", current="bbb", stale_ok=True)
    assert asked.load(7) is not None and asked.stale_seen == {"aaa"}


def test_stored_pages_are_not_read_again(tmp_path: Path):
    """``gather`` takes a stored page from the cache without a capture or an engine (no shot
    is given: reading it would fail), in the order asked."""
    cache = Cache(tmp_path, "tune", "tesseract", current="aaa")
    for i in (4, 2):
        cache.save(stored(i, right=True), None)
    got = gather("tesseract", {}, [2, 4], tmp_path / "out", cache)
    assert [r.index for r in got] == [2, 4]
