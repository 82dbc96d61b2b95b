"""Feedback numbers (意见编号): short, digits only, with a check digit, made offline.

A resident who leaves 意见建议 without a receipt number needs something to find the answer
by, and the kiosk may be offline when they leave: so the kiosk makes the number itself and
shows it on the thank-you screen. ``YJ`` + 9 random digits + 1 check digit (Damm's
algorithm: it catches every single mistyped digit and every swap of two neighbours), so a
typo gets "意见编号有误" at the kiosk before anything is asked. Residents type the 10 digits
on the digit pad; ``YJ``, spaces and dashes may be typed or not.

9 random digits are not a secret key, but reading an answer needs the whole number at a
kiosk, and the server gives a fresh number if a kiosk's one is ever taken already.
"""

from __future__ import annotations

import re
import secrets
from enum import Enum

from stdnum import damm

PREFIX = "YJ"
BODY_LEN = 9
DIGITS_LEN = BODY_LEN + 1
FEEDBACK_NO = rf"^{PREFIX}\d{{{DIGITS_LEN}}}$"
FEEDBACK_NO_LEN = len(PREFIX) + DIGITS_LEN
MAX_INPUT = 32  # with spaces and dashes; anything longer is not a feedback number


class Parsed(Enum):
    ok = "ok"
    malformed = "malformed"  # not 10 digits
    typo = "typo"  # 10 digits, but the check digit does not match


def check_digit(body: str) -> str:
    return damm.calc_check_digit(body)


def is_valid(number: str) -> bool:
    """A well-formed number whose check digit matches (``YJ`` + 10 digits)."""
    digits = number.removeprefix(PREFIX)
    return (
        number.startswith(PREFIX)
        and len(digits) == DIGITS_LEN
        and digits.isascii()
        and digits.isdigit()
        and check_digit(digits[:BODY_LEN]) == digits[BODY_LEN]
    )


def new_feedback_no() -> str:
    body = "".join(secrets.choice("0123456789") for _ in range(BODY_LEN))
    return PREFIX + body + check_digit(body)


def display(number: str) -> str:
    """``YJ 12345 67890``: easier to read aloud and copy."""
    digits = number.removeprefix(PREFIX)
    return f"{PREFIX} {digits[:5]} {digits[5:]}"


def looks_typed(text: str) -> bool:
    """What someone typed is meant as a feedback number, not a receipt number: it starts
    with ``YJ``, or is digits only, or is 10 digits with dashes (a receipt number is at
    least 19 characters, its parts joined by dashes)."""
    clean = re.sub(r"\s", "", text.upper())
    if not clean or len(clean) > MAX_INPUT:
        return False
    bare = clean.replace("-", "")
    return clean.startswith(PREFIX) or clean.isdigit() or (len(bare) == DIGITS_LEN and bare.isdigit())


def parse(text: str) -> tuple[Parsed, str]:
    """(verdict, canonical number) for what a resident typed."""
    if not looks_typed(text):
        return Parsed.malformed, ""
    digits = re.sub(r"[\s-]", "", text.strip().upper()).removeprefix(PREFIX)
    if len(digits) != DIGITS_LEN or not digits.isascii() or not digits.isdigit():
        return Parsed.malformed, ""
    if check_digit(digits[:BODY_LEN]) != digits[BODY_LEN]:
        return Parsed.typo, ""
    return Parsed.ok, PREFIX + digits
