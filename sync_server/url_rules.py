"""URL rules whose generated URL builders are compiled once per process, not once per app.

Werkzeug turns every rule into two small Python functions that build its URL (``url_for``)
by generating an AST and calling ``compile()``: ~80 % of ``create_app``'s time for our
~110 rules (0.2–0.8 s per app on a loaded machine). Each test builds a fresh app, and a
gunicorn worker or ``make demo`` builds one per start, always from the same rules.

The generated function is pure: it takes the rule as its first argument (``.self``) and
reads nothing else from where it was made, so one compiled function serves every rule
instance with the same pattern, defaults and converters. Cached here under a key holding
everything its code depends on; ``tests/server/test_url_rules.py`` checks that every
route of the app builds the same URL as werkzeug's own uncached builder.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask
from werkzeug.routing import Rule

_BUILDERS: dict[Hashable, Callable[..., tuple[str, str]]] = {}


class CachedBuilderRule(Rule):
    """A werkzeug ``Rule`` reusing the compiled URL builder of an identical earlier rule."""

    def _builder_key(self, append_unknown: bool) -> Hashable | None:
        """What the generated builder's code depends on; None when a default is unhashable."""
        defaults = tuple((self.defaults or {}).items())
        converters = tuple((name, type(conv)) for name, conv in self._converters.items())
        key = (append_unknown, self.rule, tuple(self._trace), defaults, converters)
        try:
            hash(key)
        except TypeError:  # e.g. a list as a route default: built uncached, as werkzeug does
            return None
        return key

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        key = self._builder_key(append_unknown)
        if key is None:
            return super()._compile_builder(append_unknown)
        if key not in _BUILDERS:
            _BUILDERS[key] = super()._compile_builder(append_unknown)
        return _BUILDERS[key]


class TongbanFlask(Flask):
    """Flask whose URL rules share compiled builders (see the module docstring)."""

    url_rule_class = CachedBuilderRule


def builder_cache_size() -> int:
    """How many builders are cached (for tests: a second app must add none)."""
    return len(_BUILDERS)
