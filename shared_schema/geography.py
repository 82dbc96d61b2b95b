"""Where things are: divisions, departments, stations and kiosks."""

from __future__ import annotations

from pydantic import Field, model_validator

from .base import SchemaModel
from .enums import DivisionLevel
from .identifiers import DivisionCode

_LEVEL_LENGTH = {
    DivisionLevel.province: 2,
    DivisionLevel.city: 6,
    DivisionLevel.county: 6,
    DivisionLevel.township: 9,
    DivisionLevel.village: 12,
}


def _significant(code: str) -> str:
    """The prefix every child code shares: 140500 -> 1405, 140525 -> 140525."""
    if len(code) == 6 and code.endswith("00"):
        return code[:4] if not code.endswith("0000") else code[:2]
    return code


class Division(SchemaModel):
    """An administrative division: GB/T 2260 (6 digits) or 统计用区划代码 (9/12 digits)."""

    code: str = Field(pattern=r"^\d{2}(\d{4}|\d{7}|\d{10})?$")
    name: str = Field(min_length=1)
    level: DivisionLevel
    parent_code: str | None = None

    @model_validator(mode="after")
    def _code_fits_level(self) -> Division:
        if len(self.code) != _LEVEL_LENGTH[self.level]:
            raise ValueError(f"code {self.code} has wrong length for level {self.level.value}")
        if self.parent_code and not self.code.startswith(_significant(self.parent_code)):
            raise ValueError(f"code {self.code} is not inside parent {self.parent_code}")
        return self


class Department(SchemaModel):
    """业务办理部门: an authority in one division that accepts and decides matters."""

    code: str = Field(pattern=r"^[0-9A-Za-z_-]{3,40}$")
    name: str = Field(min_length=2)
    division_code: DivisionCode
    domain: str = Field(min_length=1, description="business area, e.g. 社保")
    matters: list[str] = Field(default_factory=list, description="matter codes it handles")
    phone: str | None = None
    address: str | None = None
    is_triage: bool = Field(False, description="the city triage queue for unroutable cases")


class Station(SchemaModel):
    """便民服务中心 / 村级服务站: a service point that hosts a tongban window or kiosks."""

    code: str = Field(pattern=r"^[0-9A-Za-z]{3,16}$", description="short code used in receipt numbers")
    name: str = Field(min_length=2)
    division_code: DivisionCode
    address: str
    phone: str | None = None
    hours: str | None = None
    window_name: str = Field("市域通办窗口", description="name of the tongban window (办理窗口)")


class Kiosk(SchemaModel):
    """自助终端: an enrolled self-service terminal at a station."""

    kiosk_id: str = Field(pattern=r"^[0-9A-Za-z-]{2,40}$")
    station_code: str
    profile: str = "virtual"
    name: str | None = None
