"""Voice prompts: Mandarin through espeak-ng (``-v cmn``) when the profile enables it.

Prompts never block the UI: each one starts espeak-ng and returns; a new prompt stops
the one still speaking, so a quick resident does not hear stale instructions.

``RecordingVoice`` is the virtual profile's voice: it keeps what it would have said (the
demo and the tests read it), as the virtual camera takes pictures from a folder.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import deque
from typing import Protocol


class Voice(Protocol):
    def say(self, text: str) -> None: ...

    def probe(self) -> tuple[bool, str]: ...


class NoVoice:
    def say(self, text: str) -> None:
        return None

    def probe(self) -> tuple[bool, str]:
        return True, "voice prompts off"


class RecordingVoice:
    """Says nothing aloud; remembers the last utterances, in order."""

    def __init__(self, keep: int = 200) -> None:
        self.said: deque[str] = deque(maxlen=keep)

    def say(self, text: str) -> None:
        if text:
            self.said.append(text)

    def probe(self) -> tuple[bool, str]:
        return True, "virtual voice (recorded, not spoken)"


class EspeakVoice:
    def __init__(self, voice: str = "cmn", speed: int = 150) -> None:
        self.voice, self.speed = voice, speed
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self, text: str) -> list[str]:
        return ["espeak-ng", "-v", self.voice, "-s", str(self.speed), text]

    def say(self, text: str) -> None:
        if not text or not shutil.which("espeak-ng"):
            return
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = subprocess.Popen(
            self.command(text), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def probe(self) -> tuple[bool, str]:
        found = shutil.which("espeak-ng")
        return bool(found), f"espeak-ng -v {self.voice}" if found else "espeak-ng not installed"
