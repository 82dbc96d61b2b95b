"""Propose the applicant's home jurisdiction (属地) and offer county → township pickers.

The first six digits of an ID number name the county where it was issued; most
residents still live there, but not all, so the kiosk only *proposes* and the resident
confirms with a tap. An address naming a county or township beats the ID number.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_schema import Catalog, Division, DivisionLevel


@dataclass(frozen=True)
class Proposal:
    county: Division | None
    township: Division | None
    reason: str  # id_number / address / station / none

    @property
    def division_code(self) -> str | None:
        chosen = self.township or self.county
        return chosen.code if chosen else None


class Jurisdictions:
    """The catalog's divisions arranged for the pickers."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._by_code = {d.code: d for d in catalog.divisions}

    def counties(self) -> list[Division]:
        return sorted(
            (d for d in self.catalog.divisions if d.level is DivisionLevel.county), key=lambda d: d.code
        )

    def townships(self, county_code: str) -> list[Division]:
        return sorted(
            (
                d
                for d in self.catalog.divisions
                if d.level is DivisionLevel.township and d.code.startswith(county_code[:6])
            ),
            key=lambda d: d.code,
        )

    def get(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def county_of(self, code: str) -> Division | None:
        county = self._by_code.get(code[:6])
        return county if county and county.level is DivisionLevel.county else None

    def _from_address(self, address: str) -> Proposal | None:
        for township in self.catalog.divisions:
            if township.level is DivisionLevel.township and township.name in address:
                return Proposal(self.county_of(township.code), township, "address")
        for county in self.counties():
            if county.name in address:
                return Proposal(county, None, "address")
        return None

    def propose(self, id_number: str = "", address: str = "", station_code: str | None = None) -> Proposal:
        """Best guess, in order: address, ID number's county, the kiosk's own county."""
        if address:
            found = self._from_address(address)
            if found:
                return found
        if len(id_number) >= 6:
            county = self.county_of(id_number[:6])
            if county:
                return Proposal(county, None, "id_number")
        if station_code:
            try:
                station = self.catalog.station(station_code)
            except KeyError:
                station = None
            if station:
                county = self.county_of(station.division_code)
                township = self.get(station.division_code[:9])
                if county:
                    return Proposal(county, township, "station")
        return Proposal(None, None, "none")
