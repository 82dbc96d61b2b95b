"""One error type for bad data, listing every bad field at once.

Residents and staff should be told everything that is wrong in one go (一次性告知), and
so should programmers: a catalog file with five mistakes reports five, not the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is (dotted path), what is wrong, and the bad value."""

    path: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class SchemaError(ValueError):
    """Data that does not fit the shared schema.

    ``source`` names the file or request the data came from and ``context`` the record
    inside it (e.g. ``matter 140500-SB-001``), so the message points at the exact spot.
    """

    problems: list[FieldProblem]
    source: str = ""
    context: str = ""
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = " ".join(p for p in (self.source, self.context) if p)
        head = f"invalid {self.model or 'data'}" + (f" in {where}" if where else "")
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{head} ({len(self.problems)} problem(s)):\n{lines}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used in API error bodies and ``--json`` output."""
        return {
            "error": "schema_error",
            "model": self.model,
            "source": self.source,
            "context": self.context,
            "problems": [{"path": p.path, "message": p.message} for p in self.problems],
        }

    @classmethod
    def from_validation_error(
        cls, exc: ValidationError, *, source: str = "", context: str = "", prefix: str = ""
    ) -> SchemaError:
        """Translate pydantic's error list into ours, keeping every entry."""
        problems = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(part) for part in err.get("loc", ()))
            path = ".".join(p for p in (prefix, loc) if p) or "(root)"
            msg = err.get("msg", "invalid")
            problems.append(FieldProblem(path=path, message=msg, value=err.get("input")))
        return cls(problems=problems, source=source, context=context, model=exc.title)
