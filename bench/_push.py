"""One kiosk pushing its outbox (a subprocess of bench/sync.py): ``python -m bench._push HOME``.

Opens the store and the client, prints ``ready`` and waits for a line on stdin, so the
parent starts every kiosk at the same moment (interpreter start-up and imports are not
timed, and no kiosk runs alone while the others are still importing). Then prints one
JSON line: how many were acknowledged, when the push began and ended, and the CPU
seconds it took (the kiosks share this machine's cores with the server).
"""

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
        pusher = Pusher(
            Outbox(store),
            store.pages,
            ApiClient(ident.server_url, ident),
            tries=5,
            backoff=Backoff(0.05, 1),
            stop=threading.Event(),
        )
        print("ready", flush=True)
        sys.stdin.readline()
        started, cpu = time.time(), time.process_time()
        report = pusher.run()
        ended, cpu = time.time(), time.process_time() - cpu
    result = {
        "acknowledged": len(report.acknowledged),
        "failed": len(report.failed),
        "start": started,
        "end": ended,
        "cpu": cpu,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
