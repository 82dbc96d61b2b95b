"""Recovery from a corrupt kiosk database.

The database is moved aside (never deleted: staff or a developer may want it) and a new
one is rebuilt from the sealed manifest files, which were written and fsynced before each
submission was finalized. Every recovered submission is waiting again: the server
deduplicates by client UUID, so those it already has are simply acknowledged once more,
and the status feed is re-read from the start to restore their states. Page files stay
where they are.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .db import DB_FILE
from .fsutil import fsync_dir
from .home import KioskStore
from .models import OutboxItem, OutboxPage, OutboxTransition, utcnow
from .receipt_no import raise_counter
from .states import OutboxState

log = logging.getLogger(__name__)


@dataclass
class RecoveryReport:
    moved_to: str
    recovered: int = 0
    unreadable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def move_database_aside(home: Path) -> Path:
    """Move ``kiosk.db`` with its WAL and shared-memory files to ``corrupt/<time>/``."""
    target = home / "corrupt" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = home / f"{DB_FILE}{suffix}"
        if path.exists():
            os.replace(path, target / path.name)
    fsync_dir(home)
    return target


def recover(home: Path) -> RecoveryReport:
    """Move the database aside and rebuild the outbox from the sealed manifests."""
    report = RecoveryReport(moved_to=str(move_database_aside(home)))
    with KioskStore(home, check=None) as store:
        for uuid in store.manifests.all_uuids():
            try:
                manifest = store.manifests.read(uuid)
            except Exception as exc:  # damaged file: keep it, report it, go on
                log.error("manifest %s unreadable: %s", uuid, exc)
                report.unreadable.append(uuid)
                continue
            now = utcnow()
            pages = {p.sha256: p for m in manifest.materials for p in m.pages}
            with store.db.write() as s:
                s.add(
                    OutboxItem(
                        client_uuid=uuid,
                        receipt_no=manifest.receipt_no,
                        state=OutboxState.finalized.value,
                        matter_code=manifest.matter_code,
                        catalog_version=manifest.catalog_version,
                        created_at=manifest.created_at.astimezone(UTC),
                        state_changed_at=now,
                        finalized_at=manifest.created_at.astimezone(UTC),
                        content_digest=manifest.content_digest(),
                        page_count=sum(len(m.pages) for m in manifest.materials),
                    )
                )
                s.add_all(
                    OutboxPage(client_uuid=uuid, sha256=p.sha256, size=p.size, content_type=p.content_type)
                    for p in pages.values()
                )
                s.add(OutboxTransition(client_uuid=uuid, to_state="finalized", at=now, reason="recovered"))
                raise_counter(s, manifest.receipt_no)
            report.recovered += 1
    return report
