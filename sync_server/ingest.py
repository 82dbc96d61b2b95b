"""Exactly-once submission ingest, shared by ``POST /submissions`` and bundle import.

Rules (docs/sync-protocol.md): the same ``client_uuid`` with the same content is a replay
and gets the first acknowledgement back byte for byte; with other content it is a 409;
a ``receipt_no`` already used by another submission is a 409 too; pages the server lacks
are a 422 naming each one, and nothing is stored. The unique constraints on
``client_uuid`` and ``receipt_no`` settle races between workers (see :mod:`.once`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionManifest, SubmissionState
from shared_schema.api import SubmissionAck

from .blobs import missing_blobs
from .db import utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .events import record_event
from .models import Submission, SubmissionPage
from .once import insert_once
from .routing import route_submission
from .workdays import transfer_deadline

log = logging.getLogger("tongban.server.ingest")


@dataclass(frozen=True)
class IngestResult:
    ack_body: str
    created: bool
    receipt_no: str


def ingest_manifest(
    session: Session,
    principal: KioskPrincipal,
    manifest: SubmissionManifest,
    *,
    source: str = "api",
    now: datetime | None = None,
) -> IngestResult:
    """Store, acknowledge and route ``manifest`` once. The caller commits."""
    check_owner(principal, manifest)
    digest = manifest.content_digest()

    def find() -> Submission | None:
        return session.scalars(
            select(Submission).where(
                or_(
                    Submission.client_uuid == manifest.client_uuid,
                    Submission.receipt_no == manifest.receipt_no,
                )
            )
        ).first()

    def create() -> Submission:
        return _create(session, principal, manifest, digest, source, now or utcnow())

    row, created = insert_once(session, find, create)
    if not created:
        _check_replay(row, manifest, digest)
    log.info(
        "submission %s %s (kiosk %s)", row.receipt_no, "stored" if created else "replayed", principal.kiosk_id
    )
    return IngestResult(row.ack_body, created, row.receipt_no)


def check_owner(principal: KioskPrincipal, manifest: SubmissionManifest) -> None:
    if manifest.kiosk_id != principal.kiosk_id or manifest.station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_kiosk",
            "a kiosk may submit only under its own kiosk_id and station_code",
            "终端只能提交本终端收取的申请",
            {"kiosk_id": principal.kiosk_id, "station_code": principal.station_code},
        )


def _check_replay(row: Submission, manifest: SubmissionManifest, digest: str) -> None:
    if row.client_uuid != manifest.client_uuid:
        raise ApiError(
            409,
            "receipt_conflict",
            f"receipt number {manifest.receipt_no} belongs to another submission",
            "受理编号已被其他申请使用",
            {"receipt_no": manifest.receipt_no},
        )
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this client_uuid was committed with different content",
            "该申请已以不同内容提交，不能覆盖",
            {"client_uuid": str(manifest.client_uuid), "receipt_no": row.receipt_no},
        )


def _create(
    session: Session,
    principal: KioskPrincipal,
    manifest: SubmissionManifest,
    digest: str,
    source: str,
    now: datetime,
) -> Submission:
    missing = missing_blobs(session, manifest.page_hashes())
    if missing:
        raise ApiError(
            422,
            "missing_blobs",
            f"{len(missing)} page(s) not uploaded yet",
            "还有页面文件未上传完成",
            {"missing": missing},
            missing=missing,
        )
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
        ack_body="",
        collected_at=manifest.created_at,
        received_at=now,
        transfer_due=transfer_deadline(manifest.created_at),
        updated_at=now,
    )
    position = 0
    for m_index, material in enumerate(manifest.materials):
        for p_index, page in enumerate(material.pages):
            submission.pages.append(
                SubmissionPage(
                    position=position,
                    material_index=m_index,
                    page_index=p_index,
                    requirement_code=material.requirement_code,
                    sha256=page.sha256,
                )
            )
            position += 1
    session.add(submission)
    session.flush()
    record_event(session, submission, SubmissionState.acknowledged, actor="ingest", at=now, initial=True)
    route_submission(session, submission, at=now)
    submission.ack_body = SubmissionAck(
        client_uuid=manifest.client_uuid,
        receipt_no=manifest.receipt_no,
        state=SubmissionState(submission.state),
        department_code=submission.department_code,
        received_at=now,
    ).model_dump_json()
    return submission
