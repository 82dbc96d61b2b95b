"""Subsets of a benchmark's pages by index, for iterating on a few without the whole set."""

from __future__ import annotations


def page_subset(spec: str) -> set[int] | None:
    """``"3,7,30-37"`` → {3, 7, 30, …, 37}; empty → None (every page)."""
    pages: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lo, _, hi = part.partition("-")
        pages.update(range(int(lo), int(hi or lo) + 1))
    return pages or None
