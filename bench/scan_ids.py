"""Issue 13's hard identifier set on its own: ``python -m bench scan_ids`` (~10–20 min: the
96 captures and, beside them, the 96 held-out seeds 96–191).

Identifiers under red seals, on bowed and creased pages, in faces the tests never use
(``bench/_scan_hard.py``). Environment: ``BENCH_SCAN_HARD_COUNT`` (96),
``BENCH_SCAN_ENGINES`` (``tesseract,rapidocr``), ``BENCH_SCAN_HARD_ONLY`` (indices and
ranges: ``19,37,39`` while iterating, ``96-191`` for the held-out seeds). A run of other
captures than 0–95 prints its report and leaves BENCHMARKS.md alone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import _scan_hard
from bench._subset import bench_engines

partial = _scan_hard.partial


def run() -> str:
    engines = bench_engines("BENCH_SCAN_ENGINES")
    with tempfile.TemporaryDirectory() as tmp:
        return "\n".join(_scan_hard.run(engines, Path(tmp)))


if __name__ == "__main__":
    print(run())
