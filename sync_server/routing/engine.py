"""The routing rules of the standard (3.2, 3.3), as a pure function over a directory.

- home acceptance (异地代收、属地受理): the department of the applicant's home county
  (``home_division[:6]``) that handles the matter;
- entrusted approval (异地委托审批): the department in the *kiosk's* county entrusted with
  the matter on behalf of the applicant's home department; without such an entrustment,
  home acceptance (and the reason says so);
- city-level matters: the city department that handles it;
- anything else: the city triage department — never dropped.

Every decision carries a reason code and an English and a Chinese reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_schema import HandlingMode
from shared_schema.identifiers import county_of

from .directory import Directory


@dataclass(frozen=True)
class Decision:
    department_code: str | None
    rule: str
    reason_en: str
    reason_zh: str
    triage: bool = False


def _pick(codes: list[str]) -> tuple[str, str]:
    """The first candidate by code, and a note when there was a choice to make."""
    note = f" ({len(codes)} candidates: {', '.join(codes)}; the first by code was chosen)"
    return codes[0], (note if len(codes) > 1 else "")


def decide(directory: Directory, matter_code: str, home_division: str, kiosk_division: str) -> Decision:
    mode = directory.handling_mode(matter_code)
    if mode is None:
        return _triage(
            directory,
            "unknown_matter",
            f"matter {matter_code} is not in the current catalog",
            f"事项{matter_code}不在当前事项清单中",
        )
    if mode is HandlingMode.city_level:
        return _city(directory, matter_code)
    home = _home(directory, matter_code, home_division)
    if mode is HandlingMode.home_acceptance or home.triage:
        return home
    return _entrusted(directory, matter_code, kiosk_division, home)


def _home(directory: Directory, matter_code: str, home_division: str) -> Decision:
    county = county_of(home_division)
    codes = directory.handling_departments(matter_code, county)
    if not codes:
        return _triage(
            directory,
            "no_home_department",
            f"no department in the applicant's home county {county} handles matter {matter_code}",
            f"申请人属地（{county}）没有办理该事项的部门",
        )
    code, note = _pick(codes)
    return Decision(
        code,
        "home_department",
        f"home acceptance: {code} handles {matter_code} in the applicant's home county {county}{note}",
        f"属地受理：由申请人属地（{county}）的{directory.name(code)}受理",
    )


def _entrusted(directory: Directory, matter_code: str, kiosk_division: str, home: Decision) -> Decision:
    county = county_of(kiosk_division)
    assert home.department_code is not None
    codes = directory.entrusted_departments(matter_code, county, [home.department_code])
    if not codes:
        return Decision(
            home.department_code,
            "entrustment_fallback",
            f"entrusted approval: no department in the kiosk's county {county} is entrusted with "
            f"{matter_code} on behalf of {home.department_code}; falling back to {home.reason_en}",
            f"异地委托审批：受理地（{county}）没有受{directory.name(home.department_code)}委托的部门，"
            f"改为{home.reason_zh}",
        )
    code, note = _pick(codes)
    return Decision(
        code,
        "entrusted_department",
        f"entrusted approval: {code} in the kiosk's county {county} decides {matter_code} "
        f"on behalf of {home.department_code}{note}",
        f"异地委托审批：由受理地（{county}）的{directory.name(code)}受"
        f"{directory.name(home.department_code)}委托审批",
    )


def _city(directory: Directory, matter_code: str) -> Decision:
    city = directory.city_code()
    codes = directory.handling_departments(matter_code, city) if city else []
    if not codes:
        return _triage(
            directory,
            "no_city_department",
            f"no city department handles matter {matter_code}",
            "没有办理该市级事项的市级部门",
        )
    code, note = _pick(codes)
    return Decision(
        code,
        "city_department",
        f"city-level matter: {code} of the city {city} decides {matter_code}{note}",
        f"市级事项：由市级{directory.name(code)}办理",
    )


def _triage(directory: Directory, rule: str, why_en: str, why_zh: str) -> Decision:
    code = directory.triage_department()
    if code is None:
        return Decision(
            None,
            "triage_unconfigured",
            f"{why_en}; no triage department is configured",
            f"{why_zh}；未配置市级分拣部门，待人工分派",
            triage=True,
        )
    return Decision(
        code,
        rule,
        f"{why_en}; sent to the triage department {code}",
        f"{why_zh}，转{directory.name(code)}分拣",
        triage=True,
    )
