"""One identifier from several partial readings of its line, under the check digit.

Each re-read of a sealed or blurred number gets most characters right and a different one
or two wrong. Where the 18-character readings disagree, each character any of them read
there is a candidate; every combination is checked, and a number is taken only when
exactly one combination validates. The choices are bounded (``MAX_COMBINATIONS``) so the
check digit still guards: with eight combinations a wrong one passes by chance about as
often as a single misread passes the check on its own, and two valid ones are refused.
A character no reading saw is never filled in from the check digit alone.
"""

from __future__ import annotations

import itertools

from .extract import _CANDIDATE, TO_DIGIT, USCC_CHARS, _trim_rules, _valid, normalise

MAX_COMBINATIONS = 8


def _canonical(ch: str, pos: int, kind: str) -> str | None:
    """A read character in the identifier's alphabet (look-alikes mapped), or None."""
    if kind == "id_number":
        if pos == 17 and ch in "xX":
            return "X"
        ch = TO_DIGIT.get(ch, ch)
        return ch if ch.isdigit() else None
    up = ch.upper()
    if pos < 8:  # a credit code's first eight are digits (and its registration authority)
        up = TO_DIGIT.get(ch, up)
    return up if up in USCC_CHARS else None


def runs(texts: list[str]) -> list[str]:
    """The 18-character runs the readings hold (a rule beside the number trimmed)."""
    out = []
    for text in texts:
        flat = normalise(text).replace(" ", "")
        out += [r for m in _CANDIDATE.finditer(flat) if len(r := _trim_rules(m.group(0))) == 18]
    return out


def combine_readings(texts: list[str], kind: str) -> list[str]:
    """The one valid identifier the readings' characters combine to, as a list of one; an
    empty list when none or several validate, or the choices are too many to be guarded."""
    found = runs(texts)
    if len(found) < 2:
        return []
    choices: list[list[str]] = []
    for pos in range(18):
        seen = {c for run in found if (c := _canonical(run[pos], pos, kind))}
        if not seen:
            return []
        choices.append(sorted(seen))
    total = 1
    for options in choices:
        total *= len(options)
    if total > MAX_COMBINATIONS:
        return []
    valid = {v for picks in itertools.product(*choices) if _valid(kind, v := "".join(picks))}
    return list(valid) if len(valid) == 1 else []
