"""One identifier from several partial readings of its line, under the check digit.

Each re-read of a sealed or blurred number gets most characters right and a different one
or two wrong. Where the 18-character readings disagree, each character any of them read
there is a candidate; every combination is checked, and a number is taken only when
exactly one combination validates. The choices are bounded (``MAX_COMBINATIONS``) so the
check digit still guards: with eight combinations a wrong one passes by chance about as
often as a single misread passes the check on its own, and two valid ones are refused.
A character no reading saw is never filled in from the check digit alone.

Each look that validates is a candidate too (``agreed``), but more looks are more chances
for a misread that validates by luck (1 in 11 for an ID number, 1 in 31 for a credit
code, more with ``extract``'s look-alike repairs). On 96 hard captures, single looks
accepted a sealed, bowed ID number's line as ``14072219890227972X`` (two digits wrong)
and a credit code's ``…F1D83TEE`` as ``…F1083TER`` (the last E read R, then D "repaired"
to 0 to fit the check). So a valid value counts only when ``MIN_LOOKS`` looks read it and
at least one read it as it stands, with no look-alike repaired; no right number of the
hard set was lost to this. That is Tesseract's rule: its whitelisted looks bend whatever
they see into the alphabet (and keep confidence-0 words), and it has up to 18 looks; a
RapidOCR look (3 to 6 a line, no alphabet) counts alone, as before: one right look was
all that read a sealed form's number.
"""

from __future__ import annotations

import itertools

from .extract import _CANDIDATE, TO_DIGIT, USCC_CHARS, _trim_rules, _valid, find_identifiers, normalise

MAX_COMBINATIONS = 8
MIN_LOOKS = 2


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


def agreed(texts: list[str], kind: str, strict: bool = True) -> str | None:
    """The identifier several looks at one line agree on, or None: one valid value read,
    and no other; ``strict`` (Tesseract's rule), read by ``MIN_LOOKS`` looks, one of them
    without repair. When none was read whole, ``combine_readings`` decides."""
    looks: dict[str, int] = {}
    as_read: set[str] = set()
    for text in texts:
        for found in {r.value: r for r in find_identifiers(text) if r.valid and r.kind == kind}.values():
            looks[found.value] = looks.get(found.value, 0) + 1
            if not found.repaired:
                as_read.add(found.value)
    if looks:
        (value, count), *others = looks.items()
        trusted = not strict or (count >= MIN_LOOKS and value in as_read)
        return value if not others and trusted else None
    combined = combine_readings(texts, kind)
    return combined[0] if combined else None
