"""The village-staff assist-mode PIN: argon2-hashed, with lockout after failures.

Only a hash is stored (in the hardware profile or the kiosk's own ``assist.json``, the
latter winning so each kiosk can have its own PIN). Failures are counted on disk, so
pulling the plug does not reset the lockout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Light parameters: a kiosk has a slow CPU and a human waiting; lockout does the real work.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
CONFIG_FILE = "assist.json"


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("an assist PIN is 4 to 12 digits")
    return _HASHER.hash(pin)


@dataclass(frozen=True)
class PinResult:
    ok: bool
    locked_for_s: int = 0  # seconds left when locked out
    attempts_left: int = 0


class AssistPin:
    """Checks a PIN against the configured hash, locking out after ``max_failures``."""

    def __init__(
        self,
        home: Path,
        profile_hash: str | None,
        max_failures: int = 5,
        lockout_s: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state_file = Path(home) / "assist_lockout.json"
        self._config_file = Path(home) / CONFIG_FILE
        self._profile_hash = profile_hash
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._clock = clock

    @property
    def configured_hash(self) -> str | None:
        try:
            return json.loads(self._config_file.read_text(encoding="utf-8"))["pin_hash"]
        except (FileNotFoundError, KeyError, ValueError, TypeError):
            return self._profile_hash

    def set_pin(self, pin: str) -> None:
        """This kiosk's own PIN (only its hash, in a 0600 file written atomically)."""
        from ..store.fsutil import atomic_write

        atomic_write(self._config_file, json.dumps({"pin_hash": hash_pin(pin)}).encode(), mode=0o600)

    def _state(self) -> dict[str, float]:
        try:
            return json.loads(self._state_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {"failures": 0, "locked_until": 0}

    def _save(self, state: dict[str, float]) -> None:
        self._state_file.write_text(json.dumps(state), encoding="utf-8")

    def check(self, pin: str) -> PinResult:
        state = self._state()
        now = self._clock()
        if state["locked_until"] > now:
            return PinResult(False, locked_for_s=int(state["locked_until"] - now) + 1)
        stored = self.configured_hash
        ok = False
        if stored:
            try:
                ok = _HASHER.verify(stored, pin)
            except (VerificationError, InvalidHashError):
                ok = False
        if ok:
            self._save({"failures": 0, "locked_until": 0})
            return PinResult(True, attempts_left=self.max_failures)
        failures = int(state["failures"]) + 1
        if failures >= self.max_failures:
            self._save({"failures": 0, "locked_until": now + self.lockout_s})
            return PinResult(False, locked_for_s=self.lockout_s)
        self._save({"failures": failures, "locked_until": 0})
        return PinResult(False, attempts_left=self.max_failures - failures)
