"""Exactly-once submission ingest, shared by ``POST /submissions`` and bundle import.

Rules (docs/sync-protocol.md): the same ``client_uuid`` with the same content is a replay
and gets the first acknowledgement back byte for byte; with other content it is a 409;
a ``receipt_no`` already used by another submission is a 409 too (naming the highest
sequence stored for that kiosk and day, so the kiosk can renumber past it); a
``receipt_no`` outside the caller's own range is a 403; pages the server lacks
are a 422 naming each one, and nothing is stored. Which pages the server holds is asked
of the blob store before the transaction opens (``blobs.held_blobs``); a new submission
writes the ``blobs`` rows of its pages along with its own rows.

Races between workers are settled by the unique constraints on ``client_uuid`` and
``receipt_no``: the loser's insert fails, its whole transaction rolls back, and
:func:`ingest_once` runs it again, which now finds the winner's row (replay or
conflict). A new submission is built in memory — pages, events, routing decision,
acknowledgement — and written without the ORM's unit of work: on PostgreSQL the look-ups
and the write are one statement each (``ingest_pg``: four round trips with BEGIN and
COMMIT), elsewhere one Core insert per table (``ingest_rows``); one commit either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_schema import SubmissionManifest, SubmissionState
from shared_schema.api import SubmissionAck
from shared_schema.receipts import receipt_day_and_seq, receipt_prefix

from . import ingest_pg
from .blobs import HeldBlob, blob_rows, held_blobs, require_held
from .blobstore import BlobStore
from .db import Database, utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .events import add_event, kiosks_told, publish_ids
from .id_lookup import identity_digest
from .ingest_pg import Found
from .ingest_rows import insert_submission
from .models import Submission, SubmissionPage
from .routing import catalog_snapshot, route_new
from .routing.snapshot import current_etag
from .workdays import transfer_deadline

log = logging.getLogger("tongban.server.ingest")
_SUBMISSIONS: Table = Submission.__table__  # type: ignore[assignment]
# what a replay or a conflict is told from (the whole row, manifest included, is not needed)
_C = _SUBMISSIONS.c
_FIND = (
    select(_C.client_uuid, _C.receipt_no, _C.content_digest, _C.ack_body)
    .where(or_(_C.client_uuid == bindparam("uuid"), _C.receipt_no == bindparam("receipt")))
    .limit(1)
)


@dataclass(frozen=True)
class IngestResult:
    ack_body: str
    created: bool
    receipt_no: str


def ingest_once(
    db: Database,
    store: BlobStore,
    principal: KioskPrincipal,
    manifest: SubmissionManifest,
    *,
    source: str = "api",
) -> IngestResult:
    """:func:`ingest_manifest` in its own write transaction, retried once after a lost race.

    The store is asked for the pages before the transaction opens (no file I/O while it
    holds locks); a page is never removed from the store, so the answer stays true.
    """
    held = held_blobs(store, manifest.page_hashes())
    try:
        with db.transaction(write=True) as session:
            return ingest_manifest(session, principal, manifest, held, source=source)
    except IntegrityError:
        log.info("submission %s: lost an insert race, reading the winner", manifest.receipt_no)
    with db.transaction(write=True) as session:
        return ingest_manifest(session, principal, manifest, held, source=source)


def ingest_manifest(
    session: Session,
    principal: KioskPrincipal,
    manifest: SubmissionManifest,
    held: dict[str, HeldBlob],
    *,
    source: str = "api",
    now: datetime | None = None,
) -> IngestResult:
    """Store, acknowledge and route ``manifest`` once. The caller commits.

    ``held`` is what the blob store holds of the manifest's pages (``blobs.held_blobs``).

    Raises IntegrityError when another transaction stored the same ``client_uuid`` or
    ``receipt_no`` meanwhile (the caller's transaction is then spoilt: use
    :func:`ingest_once`, which retries).
    """
    check_owner(principal, manifest)
    check_channel(manifest, source)
    digest = manifest.content_digest()
    found = _look_up(session.connection(), manifest)
    row: Any = found.row
    created = row is None
    if row is None:
        row = _create(session, principal, manifest, found.etag, held, digest, source, now or utcnow())
    else:
        _check_replay(session.connection(), row, manifest, digest)
    log.info(
        "submission %s %s (kiosk %s)", row.receipt_no, "stored" if created else "replayed", principal.kiosk_id
    )
    return IngestResult(row.ack_body, created, row.receipt_no)


def check_owner(principal: KioskPrincipal, manifest: SubmissionManifest) -> None:
    """403 unless the manifest is the caller's: its kiosk, its station, and a receipt number
    from its own range (else a kiosk could take another's numbers and make the owner's
    real submission a conflict)."""
    check_kiosk(principal, manifest.kiosk_id, manifest.station_code)
    prefix = receipt_prefix(principal.station_code, principal.kiosk_id)
    if not manifest.receipt_no.startswith(prefix):
        raise ApiError(
            403,
            "not_your_receipt_no",
            f"receipt number {manifest.receipt_no} is not from this kiosk's range {prefix}…",
            "受理编号不是本终端发放的，不能使用",
            {"receipt_no": manifest.receipt_no, "prefix": prefix},
        )


def check_channel(manifest: SubmissionManifest, source: str) -> None:
    """403 unless the manifest's channel is the door it came through: a kiosk must not
    file a case as the online zone's (the workspace and statistics count channels)."""
    if (manifest.channel == "online") != (source == "online"):
        raise ApiError(
            403,
            "wrong_channel",
            f"a manifest with channel {manifest.channel or 'kiosk'} cannot come through {source}",
            "申请的办理渠道与提交方式不符",
            {"channel": manifest.channel or "kiosk", "source": source},
        )


def check_kiosk(principal: KioskPrincipal, kiosk_id: str, station_code: str) -> None:
    """403 unless a body names the calling kiosk and its station."""
    if kiosk_id != principal.kiosk_id or station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_kiosk",
            "a kiosk may submit only under its own kiosk_id and station_code",
            "终端只能提交本终端收取的申请",
            {"kiosk_id": principal.kiosk_id, "station_code": principal.station_code},
        )


def _check_replay(connection: Connection, row: Any, manifest: SubmissionManifest, digest: str) -> None:
    if row.client_uuid != manifest.client_uuid:
        raise ApiError(
            409,
            "receipt_conflict",
            f"receipt number {manifest.receipt_no} belongs to another submission",
            "受理编号已被其他申请使用",
            {"receipt_no": manifest.receipt_no, "last_seq": last_seq_of_day(connection, manifest.receipt_no)},
        )
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this client_uuid was committed with different content",
            "该申请已以不同内容提交，不能覆盖",
            {"client_uuid": str(manifest.client_uuid), "receipt_no": row.receipt_no},
        )


def last_seq_of_day(connection: Connection, receipt_no: str) -> int:
    """The highest sequence stored under ``receipt_no``'s kiosk and day: a kiosk told of a
    receipt conflict (restored from an old backup, say) renumbers past it."""
    day_prefix = receipt_no.rsplit("-", 1)[0] + "-"  # letters, digits and dashes: no LIKE wildcards
    taken = connection.execute(select(_C.receipt_no).where(_C.receipt_no.like(day_prefix + "%"))).scalars()
    return max((receipt_day_and_seq(number)[1] for number in taken), default=0)


def _look_up(connection: Connection, manifest: SubmissionManifest) -> Found:
    """The stored submission with this UUID or receipt; else the catalog ETag."""
    uuid, receipt = manifest.client_uuid, manifest.receipt_no
    if connection.dialect.name == "postgresql":
        return ingest_pg.look_up(connection, uuid, receipt)
    row = connection.execute(_FIND, {"uuid": uuid, "receipt": receipt}).first()
    return Found(row, None) if row is not None else Found(None, current_etag(connection))


def _write(connection: Connection, submission: Submission, blobs: list[dict[str, Any]]) -> None:
    """Insert a new submission, its pages' ``blobs`` rows (where missing) and its feed rows
    (one statement on PostgreSQL)."""
    kiosks = kiosks_told(submission)
    id_digest = identity_digest(connection, submission)
    if connection.dialect.name == "postgresql" and len(kiosks) == 1:
        ingest_pg.write(connection, submission, kiosks[0], id_digest, blobs)
    else:
        publish_ids(connection, insert_submission(connection, submission, id_digest, blobs), kiosks)


def _create(
    session: Session,
    principal: KioskPrincipal,
    manifest: SubmissionManifest,
    etag: str | None,
    held: dict[str, HeldBlob],
    digest: str,
    source: str,
    now: datetime,
) -> Submission:
    require_held(held, manifest.page_hashes())
    catalog = catalog_snapshot(session, etag)
    applicant = manifest.applicant
    submission = Submission(
        client_uuid=manifest.client_uuid,
        receipt_no=manifest.receipt_no,
        kiosk_id=principal.kiosk_id,
        station_code=manifest.station_code,
        matter_code=manifest.matter_code,
        catalog_version=manifest.catalog_version,
        applicant_kind=applicant.kind.value,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_uscc=applicant.uscc,
        applicant_phone=applicant.phone,
        home_division=applicant.home_division,
        delivery_method=manifest.delivery.method.value,
        manifest=manifest.model_dump(mode="json"),
        content_digest=digest,
        source=source,
        state=SubmissionState.acknowledged.value,
        collected_at=manifest.created_at,
        received_at=now,
        transfer_due=transfer_deadline(manifest.created_at),
        updated_at=now,
        pages=_pages(manifest),
        decisions=[],
        events=[],
    )
    add_event(submission, SubmissionState.acknowledged, actor="ingest", at=now)
    route_new(submission, catalog, at=now)  # appends the decision and the `routed` event
    submission.ack_body = SubmissionAck(
        client_uuid=manifest.client_uuid,
        receipt_no=manifest.receipt_no,
        state=SubmissionState(submission.state),
        department_code=submission.department_code,
        received_at=now,
    ).model_dump_json()
    blobs = blob_rows(held.values(), now)  # nothing missing: every page, in manifest order
    _write(session.connection(), submission, blobs)  # never added to the session
    return submission


def _pages(manifest: SubmissionManifest) -> list[SubmissionPage]:
    pages: list[SubmissionPage] = []
    for m_index, material in enumerate(manifest.materials):
        for p_index, page in enumerate(material.pages):
            pages.append(
                SubmissionPage(
                    position=len(pages),
                    material_index=m_index,
                    page_index=p_index,
                    requirement_code=material.requirement_code,
                    sha256=page.sha256,
                )
            )
    return pages
