"""One resident's 补正 under way: the notice found, the pages captured for its items.

The status screen opens it (a notice from :class:`SupplementDesk`), the supplement screen
fills it, the desk checks and queues it. Plain Python: the scripted visit and the tests
drive it without a window. Only the notice's items take pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared_schema import CompletenessResult
from shared_schema.supplement import CorrectionItem, LookupAnswer

from ..scan.types import Problem
from .ports import ScannedPage
from .supplement import Confirmed, SupplementDesk, SupplementPage


def supplement_page(scanned: ScannedPage) -> SupplementPage:
    """The scan pipeline's page as the supplement keeps it (the gate's verdict with it)."""
    return SupplementPage(
        data=scanned.data,
        content_type=scanned.content_type,
        width=scanned.width,
        height=scanned.height,
        ok=scanned.ok,
        problems=[Problem(code, message) for code, message in scanned.problems],
        ocr_text=scanned.ocr_text,
    )


@dataclass
class SupplementVisit:
    desk: SupplementDesk
    notice: LookupAnswer
    pages: dict[str, list[SupplementPage]] = field(default_factory=dict)
    confirmed: Confirmed | None = None

    @property
    def items(self) -> list[CorrectionItem]:
        return list(self.notice.items)

    def item(self, key: str) -> CorrectionItem:
        return next(i for i in self.notice.items if i.key == key)

    def count(self, key: str) -> int:
        return len(self.pages.get(key, []))

    def first_missing(self) -> str | None:
        return next((i.key for i in self.notice.items if not self.count(i.key)), None)

    def add(self, key: str, page: SupplementPage) -> int:
        """Keep an accepted page for a notice item; returns the item's page count."""
        self.item(key)  # KeyError for anything the notice did not ask for
        self.pages.setdefault(key, []).append(page)
        return self.count(key)

    def delete(self, key: str, index: int) -> None:
        del self.pages[key][index]
        if not self.pages[key]:
            del self.pages[key]

    def check(self) -> CompletenessResult:
        return self.desk.check(self.notice, self.pages)

    def confirm(self) -> Confirmed:
        """Queue and print (raises SupplementRefused when incomplete or already sent). Queued
        once: a second call, after a failed print too, only answers what was done."""
        if self.confirmed is None:
            manifest = self.desk.queue_supplement(self.notice, self.pages)
            self.confirmed = Confirmed(manifest, None)  # queued: from here on, never again
            self.confirmed = Confirmed(manifest, self.desk.print_slip(self.notice, manifest, self.pages))
        return self.confirmed

    def reprint(self) -> Confirmed:
        """The slip of the queued supplement printed again (after a printer failure)."""
        assert self.confirmed is not None, "nothing queued yet"
        manifest = self.confirmed.manifest
        self.confirmed = Confirmed(manifest, self.desk.print_slip(self.notice, manifest, self.pages))
        return self.confirmed

    @property
    def printed(self) -> bool:
        done = self.confirmed
        return done is not None and done.printed is not None and done.printed.ok
