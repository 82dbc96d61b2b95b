"""Pinyin input for Chinese names and addresses: typed letters → candidate characters.

Offline and small: the table (``kiosk/assets/pinyin_chars.tsv``, built by
:mod:`kiosk.visit.ime_build`) maps each toneless syllable (ü as ``v``) to its characters,
name characters first. A resident types one syllable (``zhang``) or several
(``zhangsan``); the candidates are for the first syllable, and picking one leaves the
rest typed. An unfinished syllable (``zh``) shows the characters of every syllable it
starts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "assets" / "pinyin_chars.tsv"


@cache
def table() -> dict[str, str]:
    """syllable → its characters, most likely first (read once, ~7,000 characters)."""
    rows = TABLE.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in rows if line)


def split_first(letters: str) -> tuple[str, str]:
    """The first syllable typed and the letters after it: the longest syllable that
    ``letters`` starts with, or all of it when it is a syllable's beginning."""
    syllables = table()
    letters = letters.lower()
    if letters in syllables or not letters:
        return letters, ""
    for end in range(min(len(letters), 6), 0, -1):
        head = letters[:end]
        if head in syllables and end < len(letters):
            rest = letters[end:]
            if any(s.startswith(rest) for s in syllables):  # "xian" stays whole, "xia"+"n…" too
                return head, rest
    return letters, ""


def candidates(letters: str, limit: int = 60) -> list[str]:
    """Characters for the first syllable of ``letters``, most likely first."""
    head, _rest = split_first(letters)
    if not head:
        return []
    syllables = table()
    exact = syllables.get(head, "")
    found = list(exact)
    if len(found) < limit:
        seen = set(found)
        # an unfinished syllable: every syllable it starts, each one's first characters in turn
        longer = [chars for s, chars in syllables.items() if s.startswith(head) and s != head]
        for depth in range(max((len(c) for c in longer), default=0)):
            for chars in longer:
                if depth < len(chars) and chars[depth] not in seen:
                    seen.add(chars[depth])
                    found.append(chars[depth])
            if len(found) >= limit:
                break
    return found[:limit]


def pick(letters: str, character: str) -> str:
    """What stays typed after ``character`` was picked for the first syllable."""
    _head, rest = split_first(letters)
    return rest


def syllable_of(character: str) -> str:
    """The syllable under which ``character`` comes earliest (a script typing a name)."""
    ranked = [(chars.index(character), s) for s, chars in table().items() if character in chars]
    if not ranked:
        raise KeyError(f"{character!r} is not in the pinyin table")
    return min(ranked)[1]
