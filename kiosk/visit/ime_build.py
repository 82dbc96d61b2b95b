"""Build ``kiosk/assets/pinyin_chars.tsv``, the pinyin input's table (syllable → characters).

Run ``python -m kiosk.visit.ime_build`` (needs ``pypinyin`` and ``jieba``, dev only). The
kiosk never loads either: pypinyin's dictionaries cost ~58 MB in the app, so the table is
built here once and committed (~40 kB), and :mod:`kiosk.visit.ime` reads it.

Characters: the 6,763 of GB 2312 plus every character of a person's name in jieba's
dictionary (rarer name characters such as 婧 or 昊 are there). Order within a syllable:
how often the character occurs in names (jieba's ``nr`` words, weighted by their
frequency) first, then how often it occurs at all (jieba's single-character entries):
the fields typed here are names and addresses.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from .ime import TABLE

NAME_WEIGHT = 4.0  # a name character outranks a merely common one of the same syllable
SECOND_READING = 0.05  # 冯 under píng (暴虎冯河) comes after the characters read so first


def _is_hanzi(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def frequencies() -> tuple[dict[str, float], dict[str, float]]:
    """(general, in names) frequencies per character, each normalised to a sum of 1."""
    import jieba

    general: dict[str, float] = defaultdict(float)
    names: dict[str, float] = defaultdict(float)
    path = Path(jieba.__file__).with_name("dict.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        if len(word) == 1 and _is_hanzi(word):
            general[word] += int(freq)
        if tag == "nr":
            for ch in word:
                if _is_hanzi(ch):
                    names[ch] += int(freq)
    return _normalised(general), _normalised(names)


def _normalised(counts: dict[str, float]) -> dict[str, float]:
    total = sum(counts.values()) or 1.0
    return {ch: n / total for ch, n in counts.items()}


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _toneless(reading: str) -> str:
    from pypinyin import Style
    from pypinyin.style import convert

    return convert(reading, Style.NORMAL, strict=False).replace("ü", "v")


def readings_in_use() -> dict[str, set[str]]:
    """character → the toneless readings it takes in pypinyin's phrases: a second reading
    listed for a character but never used in a word (找 huá) would put it among the wrong
    syllable's candidates."""
    from pypinyin.phrases_dict import phrases_dict

    used: dict[str, set[str]] = defaultdict(set)
    for phrase, readings in phrases_dict.items():
        for ch, options in zip(phrase, readings, strict=False):
            used[ch].add(_toneless(options[0]))
    return used


def build() -> dict[str, list[str]]:
    from pypinyin.pinyin_dict import pinyin_dict

    general, names = frequencies()
    used = readings_in_use()
    table: dict[str, list[str]] = defaultdict(list)
    secondary: set[tuple[str, str]] = set()
    for code, listed in pinyin_dict.items():
        ch = chr(code)
        if not _is_hanzi(ch) or not (_gb2312(ch) or ch in names):
            continue
        readings = [_toneless(r) for r in listed.split(",")]
        for syllable in [readings[0], *(r for r in readings[1:] if r in used.get(ch, ()))]:
            if syllable.isascii() and syllable.isalpha() and ch not in table[syllable]:
                table[syllable].append(ch)
                if syllable != readings[0]:
                    secondary.add((syllable, ch))

    def score(syllable: str, ch: str) -> float:
        weight = SECOND_READING if (syllable, ch) in secondary else 1.0
        return weight * (NAME_WEIGHT * names.get(ch, 0.0) + general.get(ch, 0.0))

    for syllable, chars in table.items():
        chars.sort(key=lambda c, s=syllable: -score(s, c))
    return dict(sorted(table.items()))


def main() -> int:
    table = build()
    TABLE.write_text("".join(f"{s}\t{''.join(chars)}\n" for s, chars in table.items()), encoding="utf-8")
    sys.stdout.write(f"{TABLE}: {len(table)} syllables, {sum(map(len, table.values()))} entries\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
