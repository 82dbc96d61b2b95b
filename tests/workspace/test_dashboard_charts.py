"""The dashboard's charts are kept by what they draw: the same figures give the same SVG
without drawing again, a changed figure (a value, a link) draws a new one."""

from __future__ import annotations

from sync_server.workspace.dashboard_charts import _bars, _stacked, bars, stacked


def test_the_same_figures_reuse_the_chart_and_a_changed_one_redraws() -> None:
    items = [("户籍", 12, "/d?k=a"), ("社保", 7, "/d?k=b")]
    first = bars("按事项（缓存测试）", items)
    drawn = _bars.cache_info().misses
    assert bars("按事项（缓存测试）", list(items)) is first
    assert _bars.cache_info().misses == drawn
    changed = bars("按事项（缓存测试）", [("户籍", 13, "/d?k=a"), ("社保", 7, "/d?k=b")])
    assert _bars.cache_info().misses == drawn + 1 and ">13<" in changed and ">13<" not in first
    relinked = bars("按事项（缓存测试）", [("户籍", 12, "/d?k=c"), ("社保", 7, "/d?k=b")])
    assert "/d?k=c" in relinked and relinked is not first

    series = [("按时", [(3, "/on")]), ("超期", [(1, "/late")])]
    chart = stacked("时限（缓存测试）", ["转报"], series)
    assert stacked("时限（缓存测试）", ["转报"], [("按时", [(3, "/on")]), ("超期", [(1, "/late")])]) is chart
    misses = _stacked.cache_info().misses
    assert (
        stacked("时限（缓存测试）", ["转报"], [("按时", [(4, "/on")]), ("超期", [(1, "/late")])]) is not chart
    )
    assert _stacked.cache_info().misses == misses + 1
