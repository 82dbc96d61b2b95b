"""Which department the receipt names, decided offline from the cached catalog.

The server's routing engine makes the binding decision; the kiosk must still print the
receipt at once, so it names the department the catalog points to by the same rules
(home acceptance → home county; entrusted approval → the entrusted department in the
kiosk's county; city-level → the city department). When nothing fits, the receipt says
the materials go to the city for assignment, which is what the triage queue does.
"""

from __future__ import annotations

from shared_schema import Catalog, Department, HandlingMode, Matter

TRIAGE_NAME = "市级政务服务管理部门（分派）"


def _handling(catalog: Catalog, matter: Matter, county: str) -> Department | None:
    for dept in catalog.departments:
        if matter.code in dept.matters and dept.division_code[:6] == county and not dept.is_triage:
            return dept
    return None


def expected_department(
    catalog: Catalog, matter: Matter, home_division: str, station_code: str
) -> Department | None:
    """The department the submission should reach, or None for city triage."""
    try:
        station_county = catalog.station(station_code).division_code[:6]
    except KeyError:
        station_county = ""
    if matter.handling_mode is HandlingMode.city_level:
        return _handling(catalog, matter, catalog.version.city_code)
    if matter.handling_mode is HandlingMode.entrusted_approval and station_county:
        home_dept = _handling(catalog, matter, home_division[:6])
        for ent in matter.entrustments:
            try:
                entrusted = catalog.department(ent.department)
            except KeyError:
                continue
            covers = home_dept is None or home_dept.code in ent.on_behalf_of
            if entrusted.division_code[:6] == station_county and covers:
                return entrusted
        return home_dept
    return _handling(catalog, matter, home_division[:6]) if home_division else None


def department_name(catalog: Catalog, matter: Matter, home_division: str, station_code: str) -> str:
    dept = expected_department(catalog, matter, home_division, station_code)
    return dept.name if dept else TRIAGE_NAME
