"""Subsets of a benchmark's pages by index, for iterating on a few without the whole set,
and telling such a run from one of the reported set."""

from __future__ import annotations

import os


def page_subset(spec: str) -> set[int] | None:
    """``"3,7,30-37"`` → {3, 7, 30, …, 37}; empty → None (every page)."""
    pages: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lo, _, hi = part.partition("-")
        pages.update(range(int(lo), int(hi or lo) + 1))
    return pages or None


def changed_settings(defaults: dict[str, str]) -> str | None:
    """The environment settings that differ from the reported set's ``defaults`` (``K=V ...``),
    or None: why a run is partial (``python -m bench`` then leaves BENCHMARKS.md alone)."""
    changed = [f"{k}={os.environ[k]}" for k, v in defaults.items() if os.environ.get(k, v).strip() != v]
    return " ".join(changed) or None


ENGINES = ("tesseract", "rapidocr")  # a reported table has a column for each


def bench_engines(*settings: str) -> list[str]:
    """The OCR engines a run reads with: the first of the environment ``settings`` that is
    set (``tesseract,rapidocr``), else both."""
    chosen = next((os.environ[k] for k in settings if os.environ.get(k, "").strip()), ",".join(ENGINES))
    return [e.strip() for e in chosen.split(",") if e.strip()]


def partial_because(defaults: dict[str, str], engines: list[str]) -> str | None:
    """Why a run is not the reported set: settings off their ``defaults`` (``changed_settings``)
    or an engine left out (its table would lose that engine's column), or None."""
    left_out = [e for e in ENGINES if e not in engines]
    why = [changed_settings(defaults), f"without {','.join(left_out)}" if left_out else None]
    return " ".join(w for w in why if w) or None
