"""Originals mailed with the transfer slip (原件寄送): village staff enter the tracking number.

The record is queued in the kiosk store (sealed, synced exactly once like a handover);
the server keeps it on the case, where the department sees it beside the originals it
waits for and on the transfer slip. When this kiosk collected the case and still holds
its manifest, a case whose guide wants no original by post is refused here already, as
the server would refuse it.

No Kivy here: the assist screen forwards taps, this decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared_schema import Catalog, SchemaError
from shared_schema.mailing import TRACKING_NO, normalize_tracking_no, originals_to_mail

from ..store import Outbox
from ..store.home import KioskStore
from ..store.mailings import OriginalMailings
from .handover import refusal_words

# The server's refusals as staff read them (held items show the reason).
REFUSALS_ZH = {
    "already_mailed": "该办件的原件寄送已登记过",
    "no_originals_to_mail": "该办件不需要寄送原件",
    "not_your_station": "不是本服务站收件的办件",
    "unknown_receipt": "平台没有该受理编号",
    "conflict": "寄送记录内容冲突",
}


class MailingRefused(ValueError):
    """A mailing the kiosk will not record; ``message`` is Chinese, for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MailingView:
    receipt_no: str
    tracking_no: str
    originals: list[str]  # names, when this kiosk knows the case; else empty
    state: str  # Chinese: waiting to sync, synced, refused with the reason


class MailingDesk:
    def __init__(self, store: KioskStore, station_code: str, catalog: Catalog) -> None:
        self.queue = OriginalMailings(store)
        self.outbox = Outbox(store)
        self.station_code = station_code
        self.catalog = catalog

    def record(self, receipt_no: str, tracking_no: str, staff: str) -> MailingView:
        """Check and queue one mailing; raises :class:`MailingRefused` with the reason."""
        receipt_no, staff = receipt_no.strip().upper(), staff.strip()
        tracking = normalize_tracking_no(tracking_no)
        if not receipt_no or not staff:
            raise MailingRefused("请填写受理编号和经办人姓名")
        if not re.match(TRACKING_NO, tracking):
            raise MailingRefused("快递单号应为 6 至 32 位字母或数字，请核对")
        originals = self.originals(receipt_no)
        if originals is not None and not originals:
            raise MailingRefused(REFUSALS_ZH["no_originals_to_mail"])
        earlier = self.queue.for_receipt(receipt_no)
        if earlier is not None and earlier.refused is None:
            raise MailingRefused(REFUSALS_ZH["already_mailed"] + "：快递单号 " + earlier.body.tracking_no)
        try:
            self.queue.record(
                receipt_no, station_code=self.station_code, tracking_no=tracking, recorded_by=staff
            )
        except SchemaError as exc:
            raise MailingRefused("寄送信息有误：" + "；".join(p.message for p in exc.problems)) from None
        view = self.for_receipt(receipt_no)
        assert view is not None
        return view

    def originals(self, receipt_no: str) -> list[str] | None:
        """Names of the originals the case's guide wants by post; None when this kiosk no
        longer holds (or never held) the case, so only the server can tell."""
        entry = self.outbox.find(receipt_no)
        if entry is None or entry.purged:
            return None
        manifest = self.outbox.manifest(entry.client_uuid)
        try:
            guide = self.catalog.matter(manifest.matter_code).guide
        except KeyError:
            return None
        wanted = originals_to_mail(
            [m.model_dump() for m in guide.materials], [m.requirement_code for m in manifest.materials]
        )
        return list(wanted.values())

    def for_receipt(self, receipt_no: str) -> MailingView | None:
        status = self.queue.for_receipt(receipt_no)
        if status is None:
            return None
        if status.refused is not None:
            state = "平台拒收：" + refusal_words(status.refused, REFUSALS_ZH)
        else:
            state = "已同步至平台" if status.sent else "等待同步"
        return MailingView(
            status.body.receipt_no, status.body.tracking_no, self.originals(receipt_no) or [], state
        )

    def held(self) -> list[str]:
        """One line per refused mailing, for the assist panel."""
        return [f"{m.receipt_no}：{refusal_words(r, REFUSALS_ZH)}" for m, r in self.queue.held()]
