"""The "bare" ingest endpoint for bench/sync.py: the same requests as the sync server,
answered by writing the same bytes to disk and nothing else (no database, no schema
validation, no routing). Its rate is the ceiling the real server is compared against.

Run under gunicorn like the real server: ``gunicorn -w N bench._bare:app`` with
``BARE_DIR`` set to the folder to write into.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared_schema.protocol import SIGNATURE_HEADER, parse_auth_header, sign

ROOT = Path(os.environ.get("BARE_DIR", "/tmp/tongban-bare"))


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


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
        _write(ROOT / f"{manifest['client_uuid']}.json", body)
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
