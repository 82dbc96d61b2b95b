"""Gettext for the kiosk UI: message ids in English, Chinese (zh_CN) by default.

Catalogs live in ``kiosk/locale/<lang>/LC_MESSAGES/tongban.po``; the compiled ``.mo``
files are committed and rebuilt by ``python -m kiosk.i18n`` (a small compiler here, so a
kiosk image needs no gettext tools). Catalog data (matter names, guides) is Chinese
already and is not translated.
"""

from __future__ import annotations

import ast
import gettext
import struct
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "tongban"
LANGUAGES = ("zh_CN", "en")

_current: gettext.NullTranslations = gettext.NullTranslations()
language = "en"


def install(lang: str) -> None:
    """Switch the UI language (takes effect on the next screen refresh)."""
    global _current, language
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    language = lang


def _(message: str) -> str:
    return _current.gettext(message)


def parse_po(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (single-line and continued strings; no plurals)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            entries["".join(msgid)] = "".join(msgstr)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return entries


def write_mo(entries: dict[str, str], path: Path) -> None:
    """GNU .mo format: header, two offset tables, then the strings (sorted by id)."""
    items = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in entries.items() if v)
    ids = b"".join(k + b"\0" for k, _ in items)
    strs = b"".join(v + b"\0" for _, v in items)
    n = len(items)
    start = 7 * 4 + n * 16
    id_table, str_table, offset = [], [], 0
    for key, _ in items:
        id_table += [len(key), start + offset]
        offset += len(key) + 1
    offset = 0
    for _, value in items:
        str_table += [len(value), start + len(ids) + offset]
        offset += len(value) + 1
    header = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + n * 8, 0, 0)
    body = struct.pack(f"<{2 * n}I", *id_table) + struct.pack(f"<{2 * n}I", *str_table)
    path.write_bytes(header + body + ids + strs)


def compile_all() -> list[Path]:
    out = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        write_mo(parse_po(po), mo)
        out.append(mo)
    return out


if __name__ == "__main__":
    for mo in compile_all():
        sys.stdout.write(f"{mo}\n")
