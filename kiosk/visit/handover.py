"""Records of results handed over at this station (who gave what to whom, when).

Append-only JSON lines, flushed and fsynced: a handover is evidence that the resident
received their result (送达), so it must survive a power cut the second it is recorded.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from shared_schema.identifiers import mask_id_number

LOG_FILE = "handovers.jsonl"


@dataclass(frozen=True)
class Handover:
    receipt_no: str
    staff: str
    recipient_name: str
    recipient_id_masked: str
    at: str  # ISO 8601 with timezone


class HandoverLog:
    def __init__(self, home: Path) -> None:
        self.path = Path(home) / LOG_FILE

    def record(self, receipt_no: str, staff: str, recipient_name: str, recipient_id: str = "") -> Handover:
        """Only a masked ID number is kept: enough to tell people apart, no more."""
        if not receipt_no or not staff or not recipient_name:
            raise ValueError("a handover needs the receipt number, the staff member and the recipient")
        entry = Handover(
            receipt_no=receipt_no,
            staff=staff,
            recipient_name=recipient_name,
            recipient_id_masked=mask_id_number(recipient_id) if recipient_id else "",
            at=datetime.now().astimezone().isoformat(timespec="seconds"),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def all(self) -> list[Handover]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(Handover(**json.loads(line)))
            except (ValueError, TypeError):
                continue  # a torn last line after a crash is skipped, not fatal
        return out

    def for_receipt(self, receipt_no: str) -> Handover | None:
        found = [h for h in self.all() if h.receipt_no == receipt_no]
        return found[-1] if found else None
