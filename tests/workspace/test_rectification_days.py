"""The rectification time limits are configurable (issue 14, 9.2: "default: 1 working day to
make contact, 15 working days to fix"): RECTIFICATION_CONTACT_DAYS / RECTIFICATION_FIX_DAYS
change the due days a bad rating's rectification gets, counted on the real 2027 calendar;
a value outside 0–60 working days is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sync_server.app import create_app
from sync_server.rectification import deadlines

from .test_rectification import at, clock  # noqa: F401  (fixture: the 2027 holidays imported)


def test_contact_and_fix_days_follow_the_settings(app: Any, clock: Any) -> None:  # noqa: F811
    opened = at(2, 3)  # Wednesday before the Spring Festival (02-05…02-13 off, 02-20 worked)
    with app.app_context():
        assert deadlines(opened) == (date(2027, 2, 4), date(2027, 3, 3))  # the defaults: 1 and 15
        try:
            app.config.update(RECTIFICATION_CONTACT_DAYS=2, RECTIFICATION_FIX_DAYS=5)
            assert deadlines(opened) == (date(2027, 2, 15), date(2027, 2, 18))
            for bad in (-1, 61, "3", True):
                app.config["RECTIFICATION_FIX_DAYS"] = bad
                with pytest.raises(ValueError, match="RECTIFICATION_FIX_DAYS"):
                    deadlines(opened)
        finally:
            app.config.pop("RECTIFICATION_CONTACT_DAYS", None)
            app.config.pop("RECTIFICATION_FIX_DAYS", None)


def test_a_bad_setting_stops_the_server_at_start(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="RECTIFICATION_CONTACT_DAYS"):
        create_app({"HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                    "RECTIFICATION_CONTACT_DAYS": 99})  # fmt: skip
