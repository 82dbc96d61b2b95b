"""A fresh receipt number for a submission whose number the server already holds.

A legitimate receipt conflict means this kiosk issued a number twice: it was restored
from an old backup (or its database rebuilt) and its counter went back. The server keeps
the number it saw first; the submission queued here must not be lost, so it takes a new
number and goes again under the same client UUID (the server still deduplicates by it).
The new number is past both this kiosk's own counter and the highest sequence the server
holds for the kiosk and day (named in the 409), so it collides with neither; every later
draft that day is numbered past it too.

Nothing of the original is thrown away: its sealed manifest is kept under
``superseded/<uuid>.<old receipt>``, the change is an entry in the outbox audit trail
(``outbox_transitions``, reason ``renumbered from OLD to NEW …``), and the item's message
tells staff and the resident the new number. :meth:`Outbox.find` still finds the item by
the number printed on the resident's receipt notice.

Order against a crash: the database (counter, number, audit entry) commits first, then the
manifest file is replaced. A crash in between leaves the old number in the file; the next
push meets the same conflict and renumbers again, past the counter already raised.
"""

from __future__ import annotations

import logging
from datetime import date

from shared_schema import SubmissionManifest
from shared_schema.receipts import receipt_day_and_seq

from .fsutil import atomic_write, ensure_dir
from .home import KioskStore
from .models import OutboxTransition, utcnow
from .outbox import RENUMBERED_FROM, Outbox
from .receipt_no import format_receipt_no, issue_receipt_no, raise_counter

log = logging.getLogger(__name__)
SUPERSEDED_DIR = "superseded"


def renumber(store: KioskStore, client_uuid: str, server_last_seq: int) -> SubmissionManifest:
    """Give ``client_uuid`` a new receipt number past ``server_last_seq``; the new manifest."""
    manifest = store.manifests.read(client_uuid)
    old = manifest.receipt_no
    station, short = old.split("-")[:2]
    day_text, old_seq = receipt_day_and_seq(old)
    day = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
    keep_original(store, client_uuid, old)
    with store.db.write() as s:
        raise_counter(s, format_receipt_no(station, short, day, max(server_last_seq, old_seq)))
        new = issue_receipt_no(s, station, short, day)
        renumbered = manifest.model_copy(update={"receipt_no": new})
        row = Outbox.row(s, client_uuid)
        row.receipt_no = new
        row.content_digest = renumbered.content_digest()
        row.last_message = f"受理编号已更换为 {new}（原编号 {old} 与服务器记录重复），请以新编号查询"
        s.add(
            OutboxTransition(
                client_uuid=client_uuid,
                from_state=row.state,
                to_state=row.state,
                at=utcnow(),
                reason=f"{RENUMBERED_FROM}{old} to {new}: the server holds {old} for another "
                f"submission (its last sequence that day: {server_last_seq})",
            )
        )
    store.manifests.write(renumbered)
    log.warning("submission %s renumbered from %s to %s after a receipt conflict", client_uuid, old, new)
    return renumbered


def keep_original(store: KioskStore, client_uuid: str, receipt_no: str) -> None:
    """Copy the sealed manifest as it is (still sealed) before it is replaced."""
    folder = store.home / SUPERSEDED_DIR
    ensure_dir(folder)
    target = folder / f"{client_uuid}.{receipt_no}"
    if not target.exists():
        atomic_write(target, store.manifests.path(client_uuid).read_bytes())


def read_original(store: KioskStore, client_uuid: str, receipt_no: str) -> SubmissionManifest:
    """A kept original manifest (for staff: what the resident's receipt notice showed)."""
    sealed = (store.home / SUPERSEDED_DIR / f"{client_uuid}.{receipt_no}").read_bytes()
    raw = store.key.open(sealed, f"manifest:{client_uuid}")
    return SubmissionManifest.parse_json(raw, source=f"{SUPERSEDED_DIR}/{client_uuid}.{receipt_no}")
