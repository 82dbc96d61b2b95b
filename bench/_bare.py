"""The "bare" ingest endpoint for bench/sync.py: the same requests as the sync server,
answered by writing the same bytes to disk and nothing else (no database, no schema
validation, no routing). Its rate is the ceiling the real server is compared against.

As durable as the real server, by the cheapest means for the same layout: each page is
a new file, fsynced, and its folder fsynced (without that a new file's name may vanish
in a power cut, and the answer would promise bytes that are gone) — the real server does
the same, plus an atomic rename that costs no flush. Each manifest is appended to this
worker's journal file and ``fdatasync``ed: one flush, like the real server's one
synchronous PostgreSQL commit (a WAL flush).

Run under gunicorn like the real server: ``gunicorn -w N bench._bare:app`` with
``BARE_DIR`` set to the folder to write into.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared_schema.protocol import SIGNATURE_HEADER, parse_auth_header, sign
from sync_server.blobstore import fsync_dir  # the very call the real store makes

ROOT = Path(os.environ.get("BARE_DIR", "/tmp/tongban-bare"))


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    fsync_dir(path.parent)  # the new name, too


_journal: list[int] = []  # this worker's append-only manifest file, opened on first use
_lock = threading.Lock()


def _append(data: bytes) -> None:
    with _lock:
        if not _journal:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            _journal.append(os.open(ROOT / f"journal-{os.getpid()}", flags, 0o600))
            fsync_dir(ROOT)
    os.write(_journal[0], data + b"\n")  # one O_APPEND write: threads do not interleave
    os.fdatasync(_journal[0])


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    ROOT.mkdir(parents=True, exist_ok=True)
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    creds = parse_auth_header(environ.get("HTTP_AUTHORIZATION"))
    answer: Any
    if method == "POST" and path.endswith("/blobs/missing"):
        answer = {"missing": json.loads(body)["hashes"]}
    elif method == "PUT" and "/blobs/" in path:
        sha = path.rsplit("/", 1)[1]
        _write(ROOT / sha, body)
        answer = {"sha256": sha, "size": len(body), "created": True}
    elif method == "POST" and path.endswith("/submissions"):
        manifest = json.loads(body)
        _append(body)
        answer = {
            "client_uuid": manifest["client_uuid"],
            "receipt_no": manifest["receipt_no"],
            "state": "acknowledged",
            "department_code": None,
            "received_at": datetime.now(UTC).isoformat(),
        }
    else:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error":"not_found"}']
    raw = json.dumps(answer).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))]
    if creds:
        headers.append((SIGNATURE_HEADER, sign(creds[1], raw)))
    start_response("200 OK", headers)
    return [raw]
