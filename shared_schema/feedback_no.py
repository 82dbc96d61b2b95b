"""Feedback numbers (意见编号): digits only, with a check digit, made offline, unique.

A resident who leaves 意见建议 without a receipt number needs something to find the answer
by, and the kiosk may be offline when they leave: so the kiosk makes the number itself and
shows it on the thank-you screen. Since issue 14 a number is ``YJ`` + 14 digits:

- 5 digits: the kiosk's *feedback prefix*, given by the server at enrollment (1–99999, one
  per enrollment, never reused; 0 is the server's own, for staff notes);
- 5 digits: the kiosk's own counter (1–99999, kept in the kiosk's store);
- 3 random digits, so a neighbour's number cannot be read off one's own slip;
- 1 check digit (Damm's algorithm: it catches every single mistyped digit and every swap
  of two neighbours), so a typo gets "意见编号有误" at the kiosk before anything is asked.

Prefix and counter make two numbers equal only if one kiosk counted the same note twice:
a collision is impossible by construction (random draws collided: ~5 % over 10,000 notes).
Capacity: 99,999 enrollments per installation, 99,999 notes per enrollment (27 years at
10 a day); past that the kiosk refuses notes loudly until it is enrolled again.

The old form (``YJ`` + 9 random digits + check digit, 10 digits) stays valid for numbers
already issued: the lengths tell the forms apart. Residents type the digits on the digit
pad; ``YJ``, spaces and dashes may be typed or not.
"""

from __future__ import annotations

import re
import secrets
from enum import Enum

from stdnum import damm

PREFIX = "YJ"
OLD_BODY_LEN = 9  # random digits (numbers issued before issue 14)
KIOSK_LEN, SEQ_LEN, RANDOM_LEN = 5, 5, 3
BODY_LEN = KIOSK_LEN + SEQ_LEN + RANDOM_LEN
DIGITS_LEN = BODY_LEN + 1
OLD_DIGITS_LEN = OLD_BODY_LEN + 1
MAX_KIOSK = MAX_SEQ = 99_999
SERVER_KIOSK = 0  # the server's own numbers (staff notes, a note sent without one)
FEEDBACK_NO = rf"^{PREFIX}(\d{{{OLD_DIGITS_LEN}}}|\d{{{DIGITS_LEN}}})$"
FEEDBACK_NO_LEN = len(PREFIX) + DIGITS_LEN
MAX_INPUT = 40  # with spaces and dashes; anything longer is not a feedback number


class Parsed(Enum):
    ok = "ok"
    malformed = "malformed"  # neither 10 nor 14 digits
    typo = "typo"  # the right length, but the check digit does not match


class OutOfNumbers(Exception):
    """The kiosk's counter is spent: it needs a new enrollment (a new prefix)."""


def check_digit(body: str) -> str:
    return damm.calc_check_digit(body)


def _digits_ok(digits: str) -> bool:
    return (
        len(digits) in (DIGITS_LEN, OLD_DIGITS_LEN)
        and digits.isascii()
        and digits.isdigit()
        and check_digit(digits[:-1]) == digits[-1]
    )


def is_valid(number: str) -> bool:
    """A well-formed number of either form whose check digit matches."""
    return number.startswith(PREFIX) and _digits_ok(number.removeprefix(PREFIX))


def make(kiosk: int, seq: int) -> str:
    """The ``seq``-th number of the kiosk with feedback prefix ``kiosk``."""
    if not SERVER_KIOSK <= kiosk <= MAX_KIOSK:
        raise ValueError(f"feedback prefix {kiosk} is outside 0-{MAX_KIOSK}")
    if not 1 <= seq <= MAX_SEQ:
        raise OutOfNumbers(f"feedback counter {seq} is outside 1-{MAX_SEQ}: enroll the kiosk again")
    random = "".join(secrets.choice("0123456789") for _ in range(RANDOM_LEN))
    body = f"{kiosk:0{KIOSK_LEN}d}{seq:0{SEQ_LEN}d}{random}"
    return PREFIX + body + check_digit(body)


def server_number() -> str:
    """A number the server makes itself (prefix 0): its counter digits are random too, so
    the server checks it is free before handing it out (nobody holds it before that)."""
    return make(SERVER_KIOSK, 1 + secrets.randbelow(MAX_SEQ))


def kiosk_of(number: str) -> int | None:
    """The feedback prefix a number was made under; None for the old, random form."""
    digits = number.removeprefix(PREFIX)
    return int(digits[:KIOSK_LEN]) if len(digits) == DIGITS_LEN else None


def display(number: str) -> str:
    """``YJ 12345 67890 1234`` (old form ``YJ 12345 67890``): easier to read aloud and copy."""
    digits = number.removeprefix(PREFIX)
    return " ".join([PREFIX, digits[:5], digits[5:10], digits[10:]]).rstrip()


def looks_typed(text: str) -> bool:
    """What someone typed is meant as a feedback number, not a receipt number: it starts
    with ``YJ``, or is digits only, or is 10 or 14 digits with dashes (a receipt number is
    at least 19 characters with letters, its parts joined by dashes)."""
    clean = re.sub(r"\s", "", text.upper())
    if not clean or len(clean) > MAX_INPUT:
        return False
    bare = clean.replace("-", "")
    return (
        clean.startswith(PREFIX)
        or clean.isdigit()
        or (len(bare) in (DIGITS_LEN, OLD_DIGITS_LEN) and bare.isdigit())
    )


def parse(text: str) -> tuple[Parsed, str]:
    """(verdict, canonical number) for what a resident typed."""
    if not looks_typed(text):
        return Parsed.malformed, ""
    digits = re.sub(r"[\s-]", "", text.strip().upper()).removeprefix(PREFIX)
    if len(digits) not in (DIGITS_LEN, OLD_DIGITS_LEN) or not digits.isascii() or not digits.isdigit():
        return Parsed.malformed, ""
    if not _digits_ok(digits):
        return Parsed.typo, ""
    return Parsed.ok, PREFIX + digits
