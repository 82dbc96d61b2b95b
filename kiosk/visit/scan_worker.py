"""The scan worker process: the scan pipeline and its OCR models, outside the kiosk app.

RapidOCR's models and the pipeline's page images cost the app ~220 MB that it would keep
for its whole life; in a child process they are given back when the worker stops (at the
end of a visit, or after an idle period). Started by :class:`~kiosk.visit.scan_process.
ProcessScanner` as ``python -m kiosk.visit.scan_worker FD WORK_DIR [--preload] [--engine NAME]``; requests
and replies are pickled over the socket ``FD`` (a trusted parent on the same machine).

Requests: ``("scan", image, source, matter)`` → ``ScannedPage``; ``("codes", image)`` →
``list[str]``; ``("stop",)``. Replies: ``("ok", value)`` or ``("error", text)``.
"""

from __future__ import annotations

import logging
import sys
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger(__name__)


def serve(conn: Connection, work_dir: Path, preload: bool, engine: str | None = None) -> None:
    from ..memory import tune_malloc

    tune_malloc()  # before the pipeline's threads start
    from .scan_adapter import PipelineScanner

    scanner = PipelineScanner(work_dir, engine)
    if preload:
        scanner.preload()  # OpenCV, the pipeline, the OCR models: a capture will follow
    else:
        import kiosk.scan.codes  # noqa: F401  (the progress screen's QR reader only)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the app is gone: nobody to scan for
            return
        kind, args = request[0], request[1:]
        if kind == "stop":
            return
        try:
            if kind == "scan":
                value = scanner.scan(*args)
            elif kind == "codes":
                value = scanner.codes(*args)
            else:
                raise ValueError(f"unknown request {kind!r}")
            reply = ("ok", value)
        except Exception as exc:  # a bad page must not end the worker: the app shows a message
            log.exception("scan worker request %s failed", kind)
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)
        del request, args


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="scan-worker %(levelname)s %(message)s")
    fd, work_dir, options = int(argv[0]), Path(argv[1]), argv[2:]
    engine = options[options.index("--engine") + 1] if "--engine" in options else None
    conn = Connection(fd)
    try:
        serve(conn, work_dir, "--preload" in options, engine)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
