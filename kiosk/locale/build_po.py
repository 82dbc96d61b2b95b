"""Regenerate the .po catalogs from the source strings and the translations in
:mod:`strings_zh` (the data; this is the builder).

Run ``python kiosk/locale/build_po.py`` after adding a ``_("…")`` string (needs
xgettext) and its Chinese to ``kiosk/locale/strings_zh.py``; it fails listing every
string without a Chinese translation, else writes the .po files and compiles the .mo files.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.i18n import LOCALE_DIR, compile_all, parse_po  # noqa: E402
from kiosk.locale.strings_zh import EXTRA, ZH  # noqa: E402


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path: Path, ids: list[str], translate: dict[str, str], lang: str) -> None:
    lines = [
        'msgid ""',
        'msgstr ""',
        f'"Language: {lang}\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for msgid in ids:
        lines += [f"msgid {quote(msgid)}", f"msgstr {quote(translate.get(msgid, ''))}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    sources = [str(p) for d in ("screens", "ui", "visit") for p in sorted((ROOT / "kiosk" / d).glob("*.py"))]
    sources.append(str(ROOT / "kiosk" / "app.py"))
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "tongban.pot"
        subprocess.run(
            ["xgettext", "--language=Python", "--keyword=_", "--from-code=UTF-8", "-o", str(pot), *sources],
            check=True,
        )
        found = [k for k in parse_po(pot) if k]
    ids = list(dict.fromkeys([*found, *EXTRA]))
    missing = [i for i in ids if i not in ZH]
    if missing:
        sys.stderr.write("no Chinese for:\n" + "\n".join(missing) + "\n")
        return 1
    write_po(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "tongban.po", ids, ZH, "zh_CN")
    write_po(LOCALE_DIR / "en" / "LC_MESSAGES" / "tongban.po", ids, {}, "en")
    for mo in compile_all():
        sys.stdout.write(f"{mo}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
