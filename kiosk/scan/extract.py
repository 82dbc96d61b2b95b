"""Fields from OCR text: resident ID numbers, unified social credit codes, names, dates,
phone numbers.

OCR confuses look-alike characters (O/0, l/1, S/5 …). An identifier is repaired only
when the check character then holds, with the fewest substitutions that make it valid;
if two different repairs of the same size are both valid, the reading is ambiguous and
stays unrepaired, because a confidently wrong ID number is worse than asking again.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from shared_schema.identifiers import is_valid_id_number, is_valid_uscc, validate_phone

from .types import Barcode

# OCR confusion → the digit it most likely was
TO_DIGIT = {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
            "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9"}  # fmt: skip
MAX_OPTIONAL = 3  # more look-alike letters changed than this is a guess, not a repair
USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z|])[0-9A-Za-z|]{18,20}(?![0-9A-Za-z|])")
RULE_LIKE = "|lI"  # a table rule beside a number reads as one of these
_NAME = re.compile(r"姓\s*名[\s:：]*([\u4e00-\u9fff·]{2,5})")
_NAME_STOP = ("性别", "民族", "出生", "性", "联系", "电话", "身份", "户主", "公民")
_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


@dataclass
class IdentifierReading:
    """One identifier as read: ``value`` is canonical when ``valid``, else the raw reading."""

    kind: str  # id_number | uscc
    raw: str
    value: str
    valid: bool
    repaired: bool = False
    ambiguous: bool = False


@dataclass
class Extraction:
    fields: dict[str, str] = field(default_factory=dict)
    identifiers: list[IdentifierReading] = field(default_factory=list)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII) so patterns see one alphabet."""
    return unicodedata.normalize("NFKC", text)


def _options(ch: str, pos: int, kind: str) -> tuple[list[str], bool]:
    """(replacements to consider at this position, whether the character must change)."""
    if kind == "id_number":
        if pos == 17 and ch in "xX":
            return ["X"], ch != "X"
        if ch.isdigit():
            return [], False
        return ([TO_DIGIT[ch]] if ch in TO_DIGIT else []), True
    up = ch.upper()
    digits_only = pos < 8
    if ch.isdigit():
        return [], False
    digit = TO_DIGIT.get(ch)
    if digits_only or up not in USCC_CHARS or not ch.isupper():
        fixes = [c for c in {digit, up if not digits_only and up in USCC_CHARS else None} if c]
        return fixes, True
    return ([digit] if digit else []), False  # a valid letter that may be a misread digit


def _valid(kind: str, value: str) -> bool:
    return is_valid_id_number(value) if kind == "id_number" else is_valid_uscc(value)


def repair(raw: str, kind: str) -> IdentifierReading:
    """Validate ``raw`` as ``kind``; repair OCR confusions only when unambiguous."""
    if len(raw) != 18:
        return IdentifierReading(kind, raw, raw, False)
    if _valid(kind, raw):  # stdnum accepts lower case; the canonical form is upper case
        return IdentifierReading(kind, raw, raw.upper(), True, repaired=raw != raw.upper())
    forced, optional = [], []
    for pos, ch in enumerate(raw):
        fixes, must = _options(ch, pos, kind)
        if must and not fixes:
            return IdentifierReading(kind, raw, raw, False)
        if must:
            forced.append((pos, fixes))
        elif fixes:
            optional.append((pos, fixes))
    for extra in range(min(len(optional), MAX_OPTIONAL) + 1):
        found = set()
        for chosen in itertools.combinations(optional, extra):
            slots = forced + list(chosen)
            for picks in itertools.product(*[fixes for _pos, fixes in slots]):
                chars = list(raw)
                for (pos, _f), c in zip(slots, picks, strict=True):
                    chars[pos] = c
                candidate = "".join(chars)
                if _valid(kind, candidate):
                    found.add(candidate)
        if len(found) == 1:
            return IdentifierReading(kind, raw, found.pop(), True, repaired=True)
        if len(found) > 1:
            return IdentifierReading(kind, raw, raw, False, ambiguous=True)
    return IdentifierReading(kind, raw, raw, False)


def _looks_like_id(raw: str) -> bool:
    """Mostly digits, the rest look-alikes: worth repairing as a resident ID number."""
    digits = sum(c.isdigit() for c in raw)
    return digits >= 12 and all(c.isdigit() or c in TO_DIGIT or c in "xX" for c in raw)


def _matches(pattern: re.Pattern[str], text: str) -> list[str]:
    """Matches both as printed and with spaces closed up (OCR splits numbers), each once."""
    flat = normalise(text)
    seen: dict[str, None] = {}
    for variant in (flat, re.sub(r"[ \t]", "", flat)):
        for m in pattern.finditer(variant):
            seen.setdefault(m.group(m.lastindex or 0), None)
    return list(seen)


def _trim_rules(run: str) -> str:
    """A run of 19–20 characters is an 18-character identifier with the table rule printed
    beside it ("公民身份号码 |140581199305222403"), when that is what the ends look like."""
    while len(run) > 18 and run[0] in RULE_LIKE:
        run = run[1:]
    while len(run) > 18 and run[-1] in RULE_LIKE:
        run = run[:-1]
    return run


def find_identifiers(text: str) -> list[IdentifierReading]:
    """Every 18-character run that reads as an ID number or a USCC (valid ones first)."""
    readings: list[IdentifierReading] = []
    for run in _matches(_CANDIDATE, text):
        raw = _trim_rules(run)
        if len(raw) != 18 or sum(c.isdigit() for c in raw) < 6:
            continue
        kinds = ("id_number", "uscc") if _looks_like_id(raw) else ("uscc",)
        tried = [repair(raw, kind) for kind in kinds]
        valid = [r for r in tried if r.valid]
        readings.append(valid[0] if valid else tried[0])
    return sorted(readings, key=lambda r: not r.valid)


def find_name(text: str) -> str | None:
    m = _NAME.search(normalise(text).replace(" ", ""))
    if not m:
        return None
    name = m.group(1)
    for stop in _NAME_STOP:
        cut = name.find(stop)
        if cut >= 2:
            name = name[:cut]
    return name if len(name) >= 2 else None


def find_dates(text: str) -> list[str]:
    """Dates in 2025年7月14日 or ISO form, as ISO strings, in reading order."""
    flat = normalise(text)
    found: list[tuple[int, str]] = []
    for pattern in (_DATE_CN, _DATE_ISO):
        for m in pattern.finditer(flat):
            try:
                found.append((m.start(), date(*map(int, m.groups())).isoformat()))
            except ValueError:
                continue
    return [d for _pos, d in sorted(found)]


def find_phones(text: str) -> list[str]:
    out = []
    for raw in _matches(_PHONE, text):
        try:
            out.append(validate_phone(raw))
        except ValueError:
            continue
    return out


def extract(text: str, barcodes: list[Barcode] | None = None) -> Extraction:
    """The fields of one page; a field is present only when found (and valid, for IDs).

    Code payloads are read first: a licence's QR code carries its credit code without
    OCR's letter confusions (E/F, 0/D).
    """
    payloads = "\n".join(b.data for b in barcodes or [])
    result = Extraction(identifiers=find_identifiers(payloads + "\n" + text if payloads else text))
    for reading in result.identifiers:
        if reading.valid:
            result.fields.setdefault(reading.kind, reading.value)
        else:
            result.fields.setdefault(f"{reading.kind}_unverified", reading.raw)
    name = find_name(text)
    if name:
        result.fields["name"] = name
    dates = find_dates(text)
    if dates:
        result.fields["date"] = dates[0]
    phones = find_phones(text)
    if phones:
        result.fields["phone"] = phones[0]
    return result
