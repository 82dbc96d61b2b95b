"""A running kiosk takes a newly synced catalog version between visits (issue 14).

The sync worker stores a published version in the cache as soon as the server serves it;
the app switches to it the next time the screen returns to home, never during a visit
(the resident keeps the guide they were reading, and their submission names the version
it was made under). The assist screen's health list and the heartbeat then name it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from shared_schema.workcalendar import WorkCalendar

from .catalog_snapshot import cache_dir
from .sync.catalog import CatalogCache
from .visit.jurisdiction import Jurisdictions
from .visit.search import CatalogSearch
from .visit.steps import Step

if TYPE_CHECKING:
    from .context import KioskContext

log = logging.getLogger("tongban.kiosk")


def adopt_newer_catalog(ctx: KioskContext, cache: CatalogCache) -> bool:
    """Point every part of ``ctx`` that reads the catalog at the cached one, if it differs."""
    fetched = cache.current()
    if fetched is ctx.catalog or fetched == ctx.catalog:
        return False
    log.info("catalog %s → %s", ctx.catalog.version.version, fetched.version.version)
    ctx.catalog = fetched
    ctx.service.catalog = fetched
    ctx.service.jurisdictions = Jurisdictions(fetched)
    ctx.search = CatalogSearch(fetched, cache_dir())
    ctx.printing.catalog = fetched
    if ctx.mailings is not None:
        ctx.mailings.catalog = fetched
    ctx.transfer.calendar = WorkCalendar(fetched.holidays)
    return True


def adopt_between_visits(ctx: KioskContext, home: Path) -> None:
    """Subscribe before the screens do, so home is drawn from the version adopted.

    The cache file is parsed only when it changed since the last look (its size and
    modification time), and by a throw-away reader, so no second copy stays in memory.
    """
    path = CatalogCache(home).path
    seen: list[tuple[int, int] | None] = [(-1, -1)]  # the first return home always looks

    def follow(_before: Step, after: Step) -> None:
        if after is not Step.home or _stamp(path) == seen[0]:
            return
        seen[0] = _stamp(path)
        adopt_newer_catalog(ctx, CatalogCache(home))

    ctx.flow.subscribe(follow)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size
