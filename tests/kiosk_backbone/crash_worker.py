"""Subprocess for the crash tests: finalize (or just reserve) submissions in a loop and
report each one on stdout only after the call returned, until the parent kills us."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.store import Drafts, KioskStore
from tests.support.kiosk_factories import finalize_one


def main(home: str, mode: str, count: int, start: int) -> None:
    with KioskStore(Path(home)) as store:
        for i in range(start, start + count):
            if mode == "finalize":
                uuid = finalize_one(store, seed=i, pages=1 + i % 3)
                print(f"FINAL {uuid}", flush=True)
            else:
                draft = Drafts(store).create("JC-RS-001", "2024.06.01")
                print(f"RECEIPT {draft.receipt_no}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
