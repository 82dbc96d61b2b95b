"""Scores against ground truth: character error rate for OCR.

CER compares the texts with all whitespace removed and NFKC-normalised (full-width
digits become ASCII), because Chinese has no word spaces and where an engine puts line
breaks in a table is not an error a resident would notice.
"""

from __future__ import annotations

import unicodedata

import numpy as np


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; one numpy pass per character of ``a``.

    Insertions along a row are a running minimum of ``d[j] - j``, which vectorises.
    """
    if not a:
        return len(b)
    if not b:
        return len(a)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    cols = np.arange(len(b) + 1)
    prev = cols.copy()
    for i, ch in enumerate(a, start=1):
        cur = np.empty_like(prev)
        cur[0] = i
        cost = (codes_b != ord(ch)).astype(np.int64)
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        cur = np.minimum.accumulate(cur - cols) + cols
        prev = cur
    return int(prev[-1])


def cer(truth: str, hypothesis: str) -> float:
    """Character error rate: edits needed / characters in the truth (0 = perfect)."""
    t, h = normalise(truth), normalise(hypothesis)
    if not t:
        return 0.0 if not h else 1.0
    return edit_distance(t, h) / len(t)
