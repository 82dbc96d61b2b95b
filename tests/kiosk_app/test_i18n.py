"""The committed .mo catalogs match the .po sources, and every UI string has Chinese."""

from __future__ import annotations

import gettext

from kiosk.i18n import LOCALE_DIR, parse_po, write_mo


def test_zh_catalog_complete_and_compiled(tmp_path):
    po = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "tongban.po"
    entries = parse_po(po)
    missing = [k for k, v in entries.items() if k and not v]
    assert not missing, f"untranslated: {missing}"
    committed = gettext.GNUTranslations(open(po.with_suffix(".mo"), "rb"))  # noqa: SIM115
    for msgid, msgstr in entries.items():
        if msgid:
            assert committed.gettext(msgid) == msgstr, f"stale .mo for {msgid!r}: run python -m kiosk.i18n"
    fresh = tmp_path / "t.mo"
    write_mo({"Back": "返回", "": "Content-Type: text/plain; charset=UTF-8\n"}, fresh)
    assert gettext.GNUTranslations(open(fresh, "rb")).gettext("Back") == "返回"  # noqa: SIM115
