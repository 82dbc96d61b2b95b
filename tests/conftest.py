"""Settings for every test: Hypothesis on a loaded machine; session-wide clean-up.

CI shares its cores with other work, so how long Hypothesis takes to generate inputs or
run one example says nothing about the code: its ``too_slow`` health check and per-example
deadline would fail correct code on a busy machine. Speed is measured in ``bench/``.
Live servers' init-db templates are dropped at the session's end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("loaded-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loaded-machine")


@pytest.fixture(scope="session", autouse=True)
def _live_server_templates() -> Iterator[None]:
    """Drop the init-db templates live servers were copied from (tests/support/live_server.py)."""
    yield
    from tests.support.live_server import drop_templates

    drop_templates()
