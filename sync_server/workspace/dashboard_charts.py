"""Charts for the dashboard: pygal renders SVG on the server, inlined in the page.

No script and no network: pygal's tooltip script (fetched from a CDN by default) is
switched off, so the page works offline and under the workspace's CSP. Each bar links
to the drill-down of the cases it counts. Fonts and sizes are for a projector.

pygal takes 40–70 ms a chart on a loaded server, so the last ``CACHED_CHARTS`` SVGs are
kept per process (``lru_cache``) keyed by everything drawn (title, labels, values, links):
the same figures give the same chart, changed figures miss and are drawn anew. Nothing
else depends on it (another node simply draws its own).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

SCRIPT = re.compile(r"<script\b.*?</script>", re.S)  # pygal's config for its (unused) tooltip script
STYLE = Style(
    font_family='"Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif',
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=("#1f5fa8", "#c0392b", "#e67e22", "#27ae60", "#7f8c8d"),
    label_font_size=16,
    major_label_font_size=16,
    value_font_size=16,
    value_label_font_size=16,
    title_font_size=22,
    legend_font_size=16,
)


CACHED_CHARTS = 64


def bars(title: str, items: Sequence[tuple[str, int, str]], *, limit: int = 12) -> Markup:
    """A horizontal bar per ``(label, value, href)``, largest first, the rest left out."""
    return _bars(title, tuple(tuple(item) for item in items)[:limit])


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _bars(title: str, shown: tuple[tuple[str, int, str], ...]) -> Markup:
    chart = pygal.HorizontalBar(
        style=STYLE, js=[], show_legend=False, print_values=True, width=900,
        height=max(220, 60 + 42 * len(shown)), title=title, margin=10, truncate_label=-1,
        margin_left=_cjk_room([label for label, _, _ in shown]),
    )  # fmt: skip
    chart.x_labels = [label for label, _, _ in reversed(shown)]
    chart.add("", [{"value": v, "xlink": {"href": href, "target": "_top"}} for _, v, href in reversed(shown)])
    return _inline(chart)


def stacked(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[tuple[int, str]]]]
) -> Markup:
    """Stacked horizontal bars: one bar per label, one colour per series ``(name, [(value, href)])``."""
    return _stacked(title, tuple(labels), tuple((name, tuple(map(tuple, values))) for name, values in series))


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _stacked(
    title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
) -> Markup:
    chart = pygal.HorizontalStackedBar(
        style=STYLE, js=[], width=900, height=max(240, 90 + 56 * len(labels)), title=title, margin=10,
        legend_at_bottom=True, truncate_label=-1, truncate_legend=-1, margin_left=_cjk_room(labels),
    )  # fmt: skip
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, [{"value": v, "xlink": {"href": h, "target": "_top"}} for v, h in values])
    return _inline(chart)


def _cjk_room(labels: Sequence[str]) -> int:
    """Extra left margin for Chinese labels: pygal sizes label room for Latin glyphs
    (about 0.6 em), a Chinese character takes a full em."""
    longest = max((len(label) for label in labels), default=0)
    return 10 + int(0.45 * STYLE.label_font_size * longest)


def _inline(chart: pygal.Graph) -> Markup:
    svg = SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))
    return Markup(svg)
