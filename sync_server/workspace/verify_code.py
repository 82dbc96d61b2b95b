"""Verification codes (核验码) printed on results: random, typeable, with a check character.

A code is 15 random characters of Crockford's base32 alphabet (75 bits: not guessable,
not enumerable) and one Luhn mod 32 check character, shown as ``XXXX-XXXX-XXXX-XXXX``.
The check character catches every single mistyped character and most swapped pairs
before any lookup, so a typo gets "校验码有误" instead of the same "not found" a made-up
code gets; that answer is arithmetic on the code alone and says nothing about which
codes exist.
"""

from __future__ import annotations

import secrets
from enum import Enum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BODY_LEN = 15
CODE_LEN = BODY_LEN + 1
# what people type for what they mean (Crockford's decoding rules)
READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEPARATORS = str.maketrans("", "", " -_")
MAX_INPUT = 40  # a code with separators and some spaces; anything longer is not a code


class Parsed(Enum):
    ok = "ok"
    malformed = "malformed"  # wrong length or characters: treated like an unknown code
    typo = "typo"  # well-formed, but the check character does not match


def _check_char(body: str) -> str:
    """Luhn mod N over the alphabet (N = 32): catches any single substitution."""
    n = len(ALPHABET)
    total = 0
    for i, char in enumerate(reversed(body)):
        value = ALPHABET.index(char) * (2 if i % 2 == 0 else 1)
        total += value // n + value % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LEN))
    return body + _check_char(body)


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def parse(text: str) -> tuple[Parsed, str]:
    """(verdict, canonical code) for what someone typed or a QR carried."""
    if len(text) > MAX_INPUT:
        return Parsed.malformed, ""
    code = text.upper().translate(SEPARATORS).translate(READS_AS)
    if len(code) != CODE_LEN or any(c not in ALPHABET for c in code):
        return Parsed.malformed, ""
    if _check_char(code[:BODY_LEN]) != code[BODY_LEN]:
        return Parsed.typo, ""
    return Parsed.ok, code
