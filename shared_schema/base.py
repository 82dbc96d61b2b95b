"""The base every shared model inherits: strict about unknown fields, JSON-friendly."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import SchemaError

M = TypeVar("M", bound="SchemaModel")


class SchemaModel(BaseModel):
    """Unknown fields are errors: a typo in a catalog file must not vanish silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)

    @classmethod
    def parse(cls: type[M], data: Any, *, source: str = "", context: str = "") -> M:
        """Validate ``data``; on failure raise one :class:`SchemaError` naming every field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise SchemaError.from_validation_error(exc, source=source, context=context) from None

    @classmethod
    def parse_json(cls: type[M], raw: str | bytes, *, source: str = "", context: str = "") -> M:
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            raise SchemaError.from_validation_error(exc, source=source, context=context) from None

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON types (dates as ISO strings, enums as values)."""
        return self.model_dump(mode="json", exclude_none=False)
