"""The published catalog as the online zone offers it: matters allowed online, searchable.

Parsed once per catalog version (ETag) with its search index (pinyin as on the kiosk,
high-frequency matters first); only matters whose guide allows online handling
(``Matter.online``) are offered.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

from kiosk.visit.search import CatalogSearch
from shared_schema import Catalog, Matter, Station
from shared_schema.identifiers import county_of

from ..catalog_sync import current_release
from ..db import get_db
from ..workspace.errors import WorkspaceError


@dataclass(frozen=True)
class Offered:
    etag: str
    catalog: Catalog
    search: CatalogSearch

    def matter(self, code: str) -> Matter:
        """An online matter of this catalog, or 404."""
        found = next((m for m in self.search.offered() if m.code == code[:40]), None)
        if found is None:
            raise WorkspaceError(f"no online matter {code[:40]}", "没有这个可网上办理的事项", 404)
        return found

    @cached_property
    def pickup_stations(self) -> list[tuple[str, list[Station]]]:
        """Pickup stations under their county's name, counties and stations in code order:
        a city has hundreds of village stations, too many for one flat list on a phone."""
        names = {d.code: d.name for d in self.catalog.divisions}
        groups: dict[str, list[Station]] = {}
        for station in sorted(self.catalog.stations, key=lambda s: (county_of(s.division_code), s.code)):
            groups.setdefault(county_of(station.division_code), []).append(station)
        return [(names.get(county, "其他服务站"), stations) for county, stations in groups.items()]


_lock = threading.Lock()
_current: dict[str, Offered] = {}


def offered() -> Offered:
    with get_db().transaction() as session:
        release = current_release(session)
        if release is None:
            raise WorkspaceError("no catalog published", "事项清单尚未发布，暂不能网上申请", 503)
        etag = release.etag
        cached = _current.get(etag)
        body = release.body if cached is None else None
    if cached is not None:
        return cached
    catalog = Catalog.model_validate_json(body)
    entry = Offered(etag, catalog, CatalogSearch(catalog, offered=lambda m: m.online))
    with _lock:
        _current.clear()  # one version is current at a time
        _current[etag] = entry
    return entry
