"""The scripted visit's one error, importable without Kivy."""

from __future__ import annotations


class ScriptError(RuntimeError):
    """The scripted visit could not go on: what was expected did not appear."""
