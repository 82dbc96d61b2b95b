"""``tongban server import BUNDLE``: sealed sneakernet bundles, ingested exactly once.

A bundle is a tar (docs/sync-protocol.md, :mod:`shared_schema.bundle_seal`): a clear
``bundle-header.json`` naming the kiosk, then ``bundle.json.sealed`` and ``blobs/NNNNNN``,
each AES-256-GCM under a key derived from that kiosk's *bundle key*. ``bundle.json`` is
opened (authenticated) before anything is stored; each page is authenticated and its hash
checked as it is stored, a bad one reported and skipped; each manifest then goes through
the same exactly-once ingest as ``POST /submissions``, one transaction per manifest, so a
bad one does not hold back the rest and importing a bundle twice stores nothing new.
Members are read in memory one at a time, never extracted to disk by name. Plain
(format 1, unencrypted) bundles are refused.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

from flask import Flask

from shared_schema import SchemaError, SubmissionManifest
from shared_schema.bundle_seal import (
    BLOBS,
    HEADER,
    OVERHEAD,
    SEALED_MANIFEST,
    BundleSeal,
    BundleSealError,
    read_header,
)
from shared_schema.protocol import BUNDLE_MANIFEST

from .blobs import store_blob
from .blobstore import get_store
from .db import get_db
from .enrollment import KioskPrincipal
from .errors import ApiError
from .ingest import ingest_once
from .models import Kiosk

MAX_MANIFEST_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 4096
_BLOB_NAME = re.compile(rf"^{BLOBS}/\d{{6,}}$")


def _bad(code: str, message: str, zh: str = "导入包无效") -> ApiError:
    return ApiError(400, code, message, zh)


def _member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return name


def _find(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo | None:
    return next((m for m in tar.getmembers() if _member_name(m) == name and m.isfile()), None)


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if member.size > limit:
        raise _bad("bundle_too_large", f"{_member_name(member)} is larger than {limit} bytes")
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def _header(tar: tarfile.TarFile) -> bytes:
    member = _find(tar, HEADER)
    if member is None:
        if _find(tar, BUNDLE_MANIFEST) is not None:
            raise _bad(
                "bundle_unencrypted",
                "plain (format 1) bundles are refused: export again with a current kiosk",
                "导入包未加密，请用新版终端重新导出",
            )
        raise _bad("bundle_incomplete", f"the bundle has no {HEADER}")
    return _read(tar, member, MAX_HEADER_BYTES)


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


def _unseal_manifest(tar: tarfile.TarFile, seal: BundleSeal, kiosk_id: str) -> dict[str, Any]:
    """``bundle.json``, authenticated: nothing is stored unless this succeeds."""
    member = _find(tar, SEALED_MANIFEST)
    if member is None:
        raise _bad("bundle_incomplete", f"the bundle has no {SEALED_MANIFEST}")
    try:
        raw = seal.open(SEALED_MANIFEST, _read(tar, member, MAX_MANIFEST_BYTES))
    except BundleSealError:
        raise ApiError(
            400,
            "bad_signature",
            "the bundle does not authenticate under the kiosk's bundle key",
            "导入包校验失败（不是该终端导出的，或已被改动）",
        ) from None
    try:
        body = json.loads(raw)
    except ValueError:
        raise _bad("malformed_json", f"{BUNDLE_MANIFEST} is not valid JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("submissions"), list):
        raise _bad("bundle_invalid", f"{BUNDLE_MANIFEST} has no submissions list")
    if body.get("kiosk_id") != kiosk_id:
        raise _bad("bundle_invalid", "bundle.json names another kiosk than its header")
    return body


def import_bundle(app: Flask, path: Path) -> dict[str, Any]:
    """Authenticate and ingest one bundle; returns a report (per-manifest failures included)."""
    with _open(path) as tar:
        header_raw = _header(tar)
        try:
            header = read_header(header_raw)
        except ValueError as exc:
            raise _bad("bundle_unsupported", f"{HEADER}: {exc}") from None
        principal, key = _kiosk_principal(app, header.kiosk_id)
        seal = BundleSeal(key, header_raw)
        body = _unseal_manifest(tar, seal, principal.kiosk_id)
        report: dict[str, Any] = {
            "kiosk_id": principal.kiosk_id,
            "created": 0,
            "replayed": 0,
            "failed": [],
            "blobs_stored": 0,
            "blobs_present": 0,
            "bad_blobs": [],
        }
        manifests = _parse_manifests(body["submissions"], report)
        types = {p.sha256: p.content_type for m in manifests for mat in m.materials for p in mat.pages}
        _store_blobs(app, tar, seal, types, report)
    for manifest in manifests:
        try:
            result = ingest_once(get_db(app), get_store(app), principal, manifest, source="bundle")
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


def _store_blobs(
    app: Flask, tar: tarfile.TarFile, seal: BundleSeal, types: dict[str, str], report: dict[str, Any]
) -> None:
    limit = app.config["MAX_BLOB_BYTES"]
    store = get_store(app)
    for member in tar:
        name = _member_name(member)
        if not _BLOB_NAME.match(name) or not member.isfile():
            continue
        try:
            sha, data = seal.open_blob(name, _read(tar, member, limit + OVERHEAD + 32))
        except BundleSealError as exc:
            _bad_blob(report, name, None, "bad_seal", str(exc))
            continue
        except ApiError as exc:
            _bad_blob(report, name, None, exc.code, exc.message)
            continue
        if sha not in types:
            continue  # no manifest names it
        try:
            _, created = store_blob(store, sha, [data], types[sha], limit)
            report["blobs_stored" if created else "blobs_present"] += 1
        except ApiError as exc:
            _bad_blob(report, name, sha, exc.code, exc.message)


def _bad_blob(report: dict[str, Any], member: str, sha: str | None, code: str, message: str) -> None:
    report["bad_blobs"].append({"member": member, "sha256": sha, "error": code, "message": message})
