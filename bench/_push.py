"""One kiosk pushing its outbox (a subprocess of bench/sync.py): ``python -m bench._push HOME``.
Prints one JSON line: how many were acknowledged, and when the push (not the interpreter
start-up) began and ended, so the parent can time the overlapping pushes alone."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from kiosk.store import KioskStore, Outbox
from kiosk.sync.backoff import Backoff
from kiosk.sync.client import ApiClient
from kiosk.sync.push import Pusher


def main(home: str) -> None:
    with KioskStore(Path(home)) as store:
        ident = store.identity()
        client = ApiClient(ident.server_url, ident)
        started = time.time()
        report = Pusher(
            Outbox(store), store.pages, client, tries=5, backoff=Backoff(0.05, 1), stop=threading.Event()
        ).run()
        ended = time.time()
    result = {
        "acknowledged": len(report.acknowledged),
        "failed": len(report.failed),
        "start": started,
        "end": ended,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
