"""URL rules sharing compiled builders (``sync_server/url_rules.py``) build what werkzeug builds.

Every route of the real app is built twice, by the app's cached builder and by a plain
werkzeug ``Rule`` of the same pattern compiled on its own; the URLs must be equal, with
and without unknown arguments appended as a query string. A second app must compile no
new builder but reuse the first one's, else the cache silently stopped working (e.g.
werkzeug renamed its hook).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import url_for
from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter, PathConverter

from sync_server.app import create_app
from sync_server.url_rules import CachedBuilderRule, builder_cache_size


def _values(rule: Rule) -> dict[str, Any]:
    """A value for each argument of ``rule`` that its converter accepts, with characters to escape."""
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 42
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[-1]
        elif isinstance(converter, PathConverter):
            values[name] = "子目录/file name.pdf"
        else:
            values[name] = "a b&中文"
    return values


def _config(tmp_path: Path) -> dict[str, Any]:
    return {"HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "TESTING": True}


def _key(rule: Rule) -> str:
    return f"{rule.rule} {sorted(rule.methods or ())}"


def _plain(rule: Rule, converters: dict[str, Any]) -> Rule:
    """The same rule as werkzeug alone compiles it, in a map with the app's converters."""
    plain = Rule(rule.rule, **rule.get_empty_kwargs())
    Map([plain], converters=converters)
    assert type(plain) is Rule
    return plain


def test_every_route_builds_the_url_werkzeug_builds(tmp_path):
    app = create_app(_config(tmp_path))
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50 and all(isinstance(rule, CachedBuilderRule) for rule in rules)
    for rule in rules:
        plain = _plain(rule, app.url_map.converters)
        values = _values(rule)
        built = rule.build(values, append_unknown=False)
        assert built == plain.build(values, append_unknown=False), rule.rule
        extra = {**values, "page": 2, "q": "王 五"}
        built = rule.build(extra)
        assert built == plain.build(extra), rule.rule
        assert built is not None and "page=2" in built[1]


def test_a_second_app_compiles_no_builder(tmp_path):
    first = {_key(rule): rule for rule in create_app(_config(tmp_path)).url_map.iter_rules()}
    cached = builder_cache_size()
    second = create_app(_config(tmp_path))
    assert builder_cache_size() == cached
    for rule in second.url_map.iter_rules():
        earlier = first[_key(rule)]
        assert rule is not earlier and rule._build.__func__ is earlier._build.__func__, rule.rule
        assert rule._build_unknown.__func__ is earlier._build_unknown.__func__, rule.rule
    with second.test_request_context():
        assert url_for("static", filename="a b.css") == "/static/a%20b.css"


def test_routes_differing_only_in_defaults_keep_their_own_builders():
    converters = Map().converters
    first = CachedBuilderRule("/list/", endpoint="first", defaults={"page": 1})
    every = CachedBuilderRule("/list/", endpoint="every")
    second = CachedBuilderRule("/list/", endpoint="second", defaults={"page": 2})
    Map([first, every, second], converters=converters)
    assert first.build({"page": 1}) == ("", "/list/")
    assert every.build({"page": 1}) == ("", "/list/?page=1")
    assert second.build({"page": 2}) == ("", "/list/")
    for rule in (first, every, second):
        assert rule.build({"page": 1, "q": "x"}) == _plain(rule, converters).build({"page": 1, "q": "x"})
    unhashable = CachedBuilderRule("/tags/", endpoint="tags", defaults={"tags": ["a"]})
    Map([unhashable], converters=converters)
    assert unhashable.build({"tags": ["a"], "q": "x"}) == ("", "/tags/?q=x")
