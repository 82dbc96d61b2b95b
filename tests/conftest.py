"""Settings for every test: Hypothesis on a loaded machine.

CI shares its cores with other work, so how long Hypothesis takes to generate inputs or
run one example says nothing about the code: its ``too_slow`` health check and per-example
deadline would fail correct code on a busy machine. Speed is measured in ``bench/``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("loaded-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loaded-machine")
