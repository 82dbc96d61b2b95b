"""Which lines go on which page of the guide (no Kivy here: the rule is tested alone)."""

from __future__ import annotations

from collections.abc import Container


def split_pages(heights: list[int], room: float, gaps: Container[int] = frozenset()) -> list[list[int]]:
    """Indexes of the items on each page: in order, each page as full as ``room`` allows
    (an item taller than a page gets a page of its own), no gap item at a page's top."""
    pages: list[list[int]] = [[]]
    used = 0.0
    for index, height in enumerate(heights):
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0.0
        if index in gaps and not pages[-1]:
            continue
        pages[-1].append(index)
        used += height
    return [page for page in pages if page] or [[]]
