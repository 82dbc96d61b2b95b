"""``tongban server import BUNDLE``: sneakernet bundles, ingested exactly once.

A bundle is a tar (see docs/sync-protocol.md): ``bundle.json``, ``bundle.sig`` = hex
HMAC-SHA256 of ``bundle.json``'s bytes under the kiosk's *bundle key* (given at
enrollment), and ``blobs/<sha256>``. The signature is checked before anything is stored;
each blob's hash is checked as it is stored; each manifest then goes through the same
exactly-once ingest as ``POST /submissions``, one transaction per manifest, so a bad one
does not hold back the rest and importing a bundle twice stores nothing new.
Members are read in memory one at a time, never extracted to disk by name.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

from flask import Flask

from shared_schema import SchemaError, SubmissionManifest
from shared_schema.protocol import BUNDLE_BLOBS, BUNDLE_MANIFEST, BUNDLE_SIGNATURE, verify

from .blobs import store_blob
from .blobstore import get_store
from .db import get_db
from .enrollment import KioskPrincipal
from .errors import ApiError
from .ingest import ingest_once
from .models import Kiosk

MAX_MANIFEST_BYTES = 256 * 1024 * 1024
_BLOB_NAME = re.compile(rf"^{BUNDLE_BLOBS}/([0-9a-f]{{64}})$")
CHUNK = 1024 * 1024


def _bad(code: str, message: str, zh: str = "导入包无效") -> ApiError:
    return ApiError(400, code, message, zh)


def _member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return name


def _read(tar: tarfile.TarFile, name: str, limit: int) -> bytes:
    for member in tar.getmembers():
        if _member_name(member) == name and member.isfile():
            if member.size > limit:
                raise _bad("bundle_too_large", f"{name} is larger than {limit} bytes")
            handle = tar.extractfile(member)
            assert handle is not None
            return handle.read()
    raise _bad("bundle_incomplete", f"the bundle has no {name}")


def _kiosk_principal(app: Flask, kiosk_id: Any) -> tuple[KioskPrincipal, str]:
    with get_db(app).transaction() as session:
        kiosk = session.get(Kiosk, kiosk_id) if isinstance(kiosk_id, str) else None
        if kiosk is None:
            raise ApiError(404, "unknown_kiosk", f"no kiosk {kiosk_id!r}", "未找到该终端")
        if kiosk.revoked_at is not None:
            raise ApiError(403, "kiosk_revoked", "bundles of a revoked kiosk are refused", "终端已被吊销")
        return KioskPrincipal(kiosk.kiosk_id, kiosk.station_code, secret=""), kiosk.bundle_key


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise _bad("bundle_unreadable", f"not a readable tar file: {exc}") from None


def import_bundle(app: Flask, path: Path) -> dict[str, Any]:
    """Verify and ingest one bundle; returns a report (per-manifest failures included)."""
    with _open(path) as tar:
        raw = _read(tar, BUNDLE_MANIFEST, MAX_MANIFEST_BYTES)
        signature = _read(tar, BUNDLE_SIGNATURE, 1024).decode("ascii", "replace").strip()
        try:
            header = json.loads(raw)
        except ValueError:
            raise _bad("malformed_json", f"{BUNDLE_MANIFEST} is not valid JSON") from None
        if not isinstance(header, dict) or not isinstance(header.get("submissions"), list):
            raise _bad("bundle_invalid", f"{BUNDLE_MANIFEST} has no submissions list")
        principal, key = _kiosk_principal(app, header.get("kiosk_id"))
        if not verify(key, raw, signature):
            raise ApiError(
                400,
                "bad_signature",
                "the bundle signature does not match the kiosk's bundle key",
                "导入包签名校验失败",
            )
        report: dict[str, Any] = {
            "kiosk_id": principal.kiosk_id,
            "created": 0,
            "replayed": 0,
            "failed": [],
            "blobs_stored": 0,
            "blobs_present": 0,
            "bad_blobs": [],
        }
        manifests = _parse_manifests(header["submissions"], report)
        types = {p.sha256: p.content_type for m in manifests for mat in m.materials for p in mat.pages}
        _store_blobs(app, tar, types, report)
    for manifest in manifests:
        try:
            result = ingest_once(get_db(app), principal, manifest, source="bundle")
            report["created" if result.created else "replayed"] += 1
        except ApiError as exc:
            report["failed"].append(
                {
                    "receipt_no": manifest.receipt_no,
                    "client_uuid": str(manifest.client_uuid),
                    "error": exc.code,
                    "message": exc.message,
                    "details": exc.details,
                }
            )
    return report


def _parse_manifests(items: list[Any], report: dict[str, Any]) -> list[SubmissionManifest]:
    manifests = []
    for index, item in enumerate(items):
        try:
            manifests.append(SubmissionManifest.parse(item, context=f"submissions[{index}]"))
        except SchemaError as exc:
            error = ApiError.from_schema_error(exc, "submission manifest")
            report["failed"].append(
                {"index": index, "error": error.code, "message": error.message, "details": error.details}
            )
    return manifests


def _store_blobs(app: Flask, tar: tarfile.TarFile, types: dict[str, str], report: dict[str, Any]) -> None:
    limit = app.config["MAX_BLOB_BYTES"]
    store = get_store(app)
    for member in tar:
        match = _BLOB_NAME.match(_member_name(member))
        if not match or not member.isfile() or match.group(1) not in types:
            continue
        sha = match.group(1)
        handle = tar.extractfile(member)
        assert handle is not None
        try:
            _, created = store_blob(
                get_db(app), store, sha, iter(lambda h=handle: h.read(CHUNK), b""), types[sha], limit
            )
            report["blobs_stored" if created else "blobs_present"] += 1
        except ApiError as exc:
            report["bad_blobs"].append({"sha256": sha, "error": exc.code, "message": exc.message})
