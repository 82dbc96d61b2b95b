"""Validators for the identifiers residents and enterprises hand in.

Check digits are python-stdnum's (GB 11643 for 居民身份证号码, GB 32100 for 统一社会信用代码):
a well-kept library beats a hand-rolled mod-11. Each validator returns the canonical
form or raises ``ValueError`` with an English message; pydantic turns that into a field
problem, the kiosk into a Chinese prompt.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from . import bounds

_STDNUM_REASONS = {
    InvalidLength: "wrong length",
    InvalidFormat: "wrong format",
    InvalidChecksum: "check digit does not match",
    InvalidComponent: "invalid component (e.g. birth date)",
}

_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_DIVISION = re.compile(r"^\d{2}(?:\d{4}|\d{7}|\d{10})$")
# cn/loc.dat: a province line ``14 province="山西省"``, then its counties ``  0525 county="…"``
_LOC_LINE = re.compile(r'^(?:(?P<province>\d{2}) province="[^"]*"|  (?P<county>\d{4}) county="[^"]*")\s*$')


def _reason(exc: Exception) -> str:
    for kind, text in _STDNUM_REASONS.items():
        if isinstance(exc, kind):
            return text
    return "invalid"


def _place_known(number: str) -> bool:
    """The first six digits name a county that exists or once existed.

    python-stdnum also demands the county existed in the birth *year*, but numbers were
    issued from 1984/1999 with the county code of registration then: a resident of 泽州县
    (140525, created 1996) born in 1950 holds a valid 140525… number. We keep stdnum's
    place database and drop only that year rule.
    """
    return number[:6] in _county_codes()


@cache
def _county_codes() -> frozenset[str]:
    """The 6-digit county codes of stdnum's place database (``cn/loc.dat``).

    Read as a set of codes (~0.5 MB) rather than through ``numdb``, whose tree of names
    and year ranges holds 3.6 MB and 48,000 objects for the life of a kiosk app that
    only asks whether a code exists. A line this reader does not know is an error: a
    new stdnum data format must not quietly shrink the set.
    """
    codes: set[str] = set()
    province = ""
    with resources.files("stdnum").joinpath("cn/loc.dat").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            found = _LOC_LINE.match(line)
            if found is None:
                raise RuntimeError(f"unexpected line in stdnum's cn/loc.dat: {line.strip()!r}")
            if found["province"]:
                province = found["province"]
            elif province:
                codes.add(province + found["county"])
            else:
                raise RuntimeError(f"county before any province in stdnum's cn/loc.dat: {line.strip()!r}")
    return frozenset(codes)


def validate_id_number(value: str) -> str:
    """A resident ID number (18 chars, GB 11643), upper-case X, birth date real and past."""
    number = ric.compact(value or "")
    try:
        if len(number) != 18:
            raise InvalidLength()
        if not number[:-1].isdigit():
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        born = ric.get_birth_date(number)
        if not _place_known(number):
            raise InvalidComponent()
    except Exception as exc:  # stdnum raises its own ValidationError subclasses
        raise ValueError(f"invalid resident ID number: {_reason(exc)}") from exc
    if born > date.today():
        raise ValueError("invalid resident ID number: birth date in the future")
    return number


def validate_uscc(value: str) -> str:
    """A unified social credit code (18 chars, GB 32100 check character)."""
    try:
        return uscc.validate(value)
    except Exception as exc:
        raise ValueError(f"invalid unified social credit code: {_reason(exc)}") from exc


def validate_phone(value: str) -> str:
    """A mainland mobile (11 digits) or landline with area code; spaces are dropped."""
    compact = re.sub(r"[\s()（）]", "", value or "")
    if compact.startswith("+86"):
        compact = compact[3:]
    if not _PHONE.match(compact):
        raise ValueError("invalid phone number: expected 11-digit mobile or 0AAA-NNNNNNN landline")
    return compact


def validate_division_code(value: str) -> str:
    """A division code: 6 digits (GB/T 2260), 9 (township) or 12 (village, 统计用区划代码)."""
    if not isinstance(value, str) or not _DIVISION.match(value):
        raise ValueError("invalid division code: expected 6, 9 or 12 digits")
    return value


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except ValueError:
        return False
    return True


def is_valid_uscc(value: str) -> bool:
    return uscc.is_valid(value)


def mask_id_number(value: str) -> str:
    """Show only what staff need to tell applicants apart: 1405**********123X."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def county_of(division_code: str) -> str:
    """The 6-digit county-level code a 6/9/12-digit division code lies in."""
    return division_code[:6]


# Input bounds leave room for the spaces and dashes people type; the canonical forms are
# shorter: ID number and credit code 18, phone at most 13, division code at most 12.
IdNumber = Annotated[str, bounds.text(40), AfterValidator(validate_id_number)]
Uscc = Annotated[str, bounds.text(40), AfterValidator(validate_uscc)]
Phone = Annotated[str, bounds.text(40), AfterValidator(validate_phone)]
DivisionCode = Annotated[str, bounds.text(12), AfterValidator(validate_division_code)]
