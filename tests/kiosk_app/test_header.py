"""The header's station name fits its space (``kiosk/ui/header.py``): the real header in a
real Kivy window (a child process with its own Xvfb: ``header_fit_run.py``), every station
of the demo catalog, at the default 1280×800 screen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui import theme
from kiosk.ui.header import ELLIPSIS, STATION_LINES
from shared_schema.loader import load_catalog

SHORT = "城区政务大厅"  # fits on one line at the larger size


@pytest.fixture(scope="module")
def names() -> list[str]:
    return [*sorted({s.name for s in load_catalog().stations}, key=len, reverse=True), SHORT]


@pytest.fixture(scope="module")
def drawn(names: list[str]) -> dict[str, dict]:
    child = Path(__file__).with_name("header_fit_run.py")
    out = subprocess.run(
        [sys.executable, str(child), "1280", "800", *names],
        capture_output=True, text=True, timeout=120, check=False, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert out.returncode == 0 and out.stdout, out.stderr[-3000:]
    return dict(zip(names, json.loads(out.stdout.splitlines()[-1]), strict=True))


def test_every_station_name_fits_the_header_whole_or_ending_in_an_ellipsis(names, drawn) -> None:
    for name in names:
        label = drawn[name]
        assert label["lines_h"] <= label["room"] and label["texture"][1] <= label["room"], (name, label)
        assert label["widest_line"] <= label["label"][0], (name, label)
        assert 1 <= len(label["lines"]) <= STATION_LINES, (name, label)
        assert label["lines"] == label["text"].split("\n")  # Kivy drew the lines as laid out
        shown = "".join(label["lines"])
        assert shown == name or (shown.endswith(ELLIPSIS) and name.startswith(shown[:-1])), (name, label)
        assert label["font_size"] >= theme.TEXT_PX  # never below body size


def test_the_longest_demo_station_name_is_shown_on_two_lines(names, drawn) -> None:
    label = drawn[names[0]]
    assert names[0] == "晋城市政务服务中心市域通办窗口"  # the demo catalog's longest
    assert len(label["lines"]) == 2 and label["font_size"] == theme.TEXT_PX
    assert label["texture"][1] == label["lines_h"] <= label["room"]


def test_a_short_name_is_drawn_larger_on_one_line(drawn) -> None:
    label = drawn[SHORT]
    assert label["lines"] == [SHORT] and label["font_size"] == theme.LARGE_PX
