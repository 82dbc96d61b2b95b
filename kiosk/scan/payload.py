"""Code payload bytes → text, when the code does not say its character set.

Old Chinese certificates put GB2312/GB18030 bytes in their QR codes without an ECI, and
zxing-cpp's own guess (ISO-8859-1 or Shift_JIS) garbles them: on 60 random two-character
GB payloads it returned Latin-1 or Shift_JIS text every time. So valid UTF-8 is UTF-8
(unless it is GB posing as UTF-8, below), and otherwise GB18030 wins when nearly every
character it gives is a common (GB2312) character — Shift_JIS text read as GB18030 lands
mostly outside GB2312 (hiragana are 0x82xx, outside GB2312's 0xA1–0xFE lead bytes).

Short runs of half-width katakana (one byte each, 0xA1–0xDF) are the one real overlap:
"ﾃﾞｻﾞｲﾝ" is also three valid GB2312 characters. Japanese marks voicing with ﾞ/ﾟ right after
the kana that takes it; random GB bytes rarely put 0xDE/0xDF after such a byte, so a
Shift_JIS reading with two rightly placed sound marks is taken over GB18030. A short
half-width word with one mark or none ("ﾃﾞｰﾀ") is read as Chinese when it is valid,
common GB2312: on a kiosk in Shanxi that is the likelier reading.
"""

from __future__ import annotations

from itertools import pairwise

GB_COMMON_SHARE = 0.9
VOICED = set("ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ")  # take ﾞ
SEMI_VOICED = set("ﾊﾋﾌﾍﾎ")  # take ﾟ
VOICING_MARKS = 2


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def common_chinese_share(text: str) -> float:
    """Share of the non-ASCII characters that are in GB2312 (the 7445 common ones)."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return 1.0
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide)


def has_kana_voicing(text: str) -> bool:
    """Two half-width ﾞ/ﾟ, each right after a kana that takes it: written Japanese, not
    chance. One is not enough: 7 of 300 random two- or three-character GB names have one
    (a 0xDE/0xDF trail byte after a voiceable lead byte); none of them has two."""
    marks = sum(
        (mark == "ﾞ" and kana in VOICED) or (mark == "ﾟ" and kana in SEMI_VOICED)
        for kana, mark in pairwise(text)
    )
    return marks >= VOICING_MARKS


def _gb_posing_as_utf8(utf8: str, gb: str | None) -> bool:
    """GB bytes that happen to be valid UTF-8: a GB2312 character with lead byte 0xC2–0xDF
    and trail 0xA1–0xBF is also a two-byte UTF-8 sequence, so ~1 % of random two- to
    four-character GB names are valid UTF-8 (Latin-extended, Cyrillic, Hebrew letters).
    Real UTF-8 Chinese uses three-byte sequences and Latin text has ASCII letters, so
    UTF-8 giving only U+0080–U+07FF characters, at least two, without any ASCII letter,
    where GB18030 gives only common characters, is taken as GB."""
    if gb is None or any(ord(c) >= 0x800 for c in utf8):
        return False
    wide = sum(ord(c) > 0x7F for c in utf8)
    letters = any(c.isascii() and c.isalpha() for c in utf8)
    return wide >= 2 and not letters and common_chinese_share(gb) == 1.0


def decode_payload(raw: bytes) -> str:
    """UTF-8 when valid; else GB18030 or Shift_JIS (see the module doc); else Latin-1."""
    utf8, gb, sjis = _strict(raw, "utf-8"), _strict(raw, "gb18030"), _strict(raw, "shift_jis")
    if utf8 is not None and not _gb_posing_as_utf8(utf8, gb):
        return utf8
    japanese = sjis is not None and has_kana_voicing(sjis)
    if gb is not None and common_chinese_share(gb) >= GB_COMMON_SHARE and not japanese:
        return gb
    if sjis is not None:
        return sjis
    return gb if gb is not None else raw.decode("latin-1")
