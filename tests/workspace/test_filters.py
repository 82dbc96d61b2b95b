"""Jinja filters of the workspace: times shown in Beijing time, whatever form they are kept in."""

from __future__ import annotations

from datetime import UTC, datetime

from sync_server.workspace.filters import china_date, china_time


def test_times_are_beijing_time_from_datetimes_and_iso_text():
    at = datetime(2026, 11, 26, 19, 40, 5, 672454, tzinfo=UTC)
    assert china_time(at) == "2026-11-27 03:40"
    assert china_time("2026-11-26T19:40:05.672454Z") == "2026-11-27 03:40"  # a stored manifest's
    assert china_time(None) == "" and china_date(at) == "2026-11-27"
