"""补正 on the same case: a kiosk's supplement joins the case it answers, exactly once.

Rules (docs/sync-protocol.md, "Supplements"): the same ``client_uuid`` with the same
content is a replay and gets the first signed acknowledgement back byte for byte; with
other content it is a 409. The case must be waiting for correction (409
``not_awaiting_correction``) in the round the supplement names (409 ``stale_correction``);
only the notice's items may be sent (422 ``not_requested``). The collecting station's
kiosks may supplement; another station's kiosk only with the grant its online lookup
returned (``supplement_lookup``), else 403. The online channel's applicant answers through
:func:`store_supplement_once` with its own check (its own case, else 404) and no kiosk.
The pages are appended after the case's
pages, marked with the supplement's number; the case goes back to the reviewer (routed),
and the acceptance clock (行政许可法 §32) restarts from this arrival — the workspace
reads it from the ``supplement`` event (``workspace.history.materials_received_at``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_schema import SubmissionState
from shared_schema.supplement import (
    CORRECT_ACTION,
    SUPPLEMENT_ACTION,
    CorrectionItem,
    SupplementAck,
    SupplementManifest,
    check_supplement,
    items_of_detail,
    page_counts,
)

from . import lookup_grant
from .blobs import HeldBlob, blob_rows, held_blobs, record_blobs, require_held
from .blobstore import BlobStore
from .cases import locked_case
from .db import Database, utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .events import record_event
from .ingest import IngestResult, check_kiosk
from .lookup_grant import GrantCheck
from .models import Submission, SubmissionEvent, SubmissionPage, Supplement

log = logging.getLogger("tongban.server.supplements")
RECEIVED_ZH = "补正材料已收到，申请已退回部门审核"


@dataclass(frozen=True)
class Sender:
    """Who hands a supplement in: a kiosk, or the online channel's applicant (no kiosk)."""

    kiosk_id: str | None
    station_code: str
    actor: str


Authorise = Callable[[Session, Submission, datetime], None]


def ingest_supplement_once(
    db: Database, store: BlobStore, principal: KioskPrincipal, manifest: SupplementManifest
) -> IngestResult:
    """:func:`ingest_supplement` in its own write transaction, retried once after a lost race."""
    return store_supplement_once(
        db, store, manifest, lambda session, held: ingest_supplement(session, principal, manifest, held)
    )


def store_supplement_once(
    db: Database,
    store: BlobStore,
    manifest: SupplementManifest,
    run: Callable[[Session, dict[str, HeldBlob]], IngestResult],
) -> IngestResult:
    """``run`` (an ingest of ``manifest``) in its own write transaction, retried once after a
    lost race (the retry reads the winner's acknowledgement)."""
    held = held_blobs(store, manifest.page_hashes())
    try:
        with db.transaction(write=True) as session:
            return run(session, held)
    except IntegrityError:
        log.info("supplement %s: lost an insert race, reading the winner", manifest.client_uuid)
    with db.transaction(write=True) as session:
        return run(session, held)


def ingest_supplement(
    session: Session,
    principal: KioskPrincipal,
    manifest: SupplementManifest,
    held: dict[str, HeldBlob],
    now: datetime | None = None,
) -> IngestResult:
    """Store and acknowledge a kiosk's ``manifest`` once (replay → the first ack). The caller commits."""
    check_kiosk(principal, manifest.kiosk_id, manifest.station_code)
    sender = Sender(principal.kiosk_id, principal.station_code, f"kiosk:{principal.kiosk_id}")

    def authorise(session: Session, submission: Submission, now: datetime) -> None:
        _check_station(session, principal, manifest, submission, now)

    return store_supplement(session, sender, manifest, held, authorise, now)


def store_supplement(
    session: Session,
    sender: Sender,
    manifest: SupplementManifest,
    held: dict[str, HeldBlob],
    authorise: Authorise,
    now: datetime | None = None,
) -> IngestResult:
    """Store and acknowledge ``manifest`` once for ``sender``; ``authorise`` refuses a case
    the sender may not supplement. The caller commits."""
    digest = manifest.content_digest()
    replay = _replay(session, manifest, digest)
    if replay is not None:
        return replay
    now = now or utcnow()
    submission = locked_case(session, manifest.receipt_no)  # a racing twin has committed by now
    authorise(session, submission, now)
    replay = _replay(session, manifest, digest)
    if replay is not None:
        return replay
    items = _open_items(submission, manifest.correction_round)
    _check_materials(manifest, items)
    require_held(held, manifest.page_hashes())
    number = _next_number(session, submission)
    record_blobs(session.connection(), blob_rows(held.values(), now))
    _append_pages(session, submission, manifest, number)
    complete = check_supplement(items, page_counts(manifest.materials)).complete
    ack = SupplementAck(
        client_uuid=manifest.client_uuid,
        receipt_no=submission.receipt_no,
        supplement_no=number,
        state=SubmissionState.routed,
        received_at=now,
    ).model_dump_json()
    session.add(
        Supplement(
            client_uuid=manifest.client_uuid,
            submission_id=submission.id,
            number=number,
            correction_round=manifest.correction_round,
            kiosk_id=sender.kiosk_id,
            station_code=sender.station_code,
            manifest=manifest.model_dump(mode="json"),
            content_digest=digest,
            complete=complete,
            ack_body=ack,
            created_at=manifest.created_at,
            received_at=now,
        )
    )
    session.flush()  # a racing twin fails here (unique client_uuid / number) and is retried
    detail = {
        "action": SUPPLEMENT_ACTION,
        "supplement": number,
        "round": manifest.correction_round,
        "keys": sorted(page_counts(manifest.materials)),
        "complete": complete,
        "station_code": sender.station_code,
    }
    record_event(session, submission, SubmissionState.routed, RECEIVED_ZH, detail, actor=sender.actor, at=now)
    log.info("supplement %d of %s stored (%s)", number, submission.receipt_no, sender.actor)
    return IngestResult(ack, True, submission.receipt_no)


def _replay(session: Session, manifest: SupplementManifest, digest: str) -> IngestResult | None:
    """The first answer for a supplement stored under this uuid; 409 if its content differs."""
    stored = session.scalars(select(Supplement).where(Supplement.client_uuid == manifest.client_uuid)).first()
    if stored is None:
        return None
    if stored.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this client_uuid was committed with different content",
            "该补正已以不同内容提交，不能覆盖",
            {"client_uuid": str(manifest.client_uuid)},
        )
    return IngestResult(stored.ack_body, False, manifest.receipt_no)


def _check_station(
    session: Session, principal: KioskPrincipal, manifest: SupplementManifest, submission: Submission,
    now: datetime,
) -> None:  # fmt: skip
    """403 unless the kiosk stands at the case's station or carries a valid lookup grant
    (``lookup_expired`` when its grant ran out: the resident looks the case up again)."""
    if submission.station_code == principal.station_code:
        return
    grant = lookup_grant.check(session, manifest.lookup_grant, principal.kiosk_id, submission.receipt_no, now)
    if grant is GrantCheck.expired:
        raise ApiError(
            403,
            "lookup_expired",
            "the lookup grant has expired; look the case up again (receipt + ID number)",
            "核验已过期，请重新联网核验受理编号和身份证号后再补交材料",
            {"receipt_no": submission.receipt_no},
        )
    if grant is not GrantCheck.valid:
        raise ApiError(
            403,
            "not_your_station",
            "a case collected at another station needs an online lookup (receipt + ID number) first",
            "该申请不是在本服务站提交的，请先联网核验受理编号和身份证号",
            {"receipt_no": submission.receipt_no},
        )


def correction_requests(submission: Submission) -> list[SubmissionEvent]:
    """The case's correction requests, oldest first; 409 unless it waits for a supplement."""
    if submission.state != SubmissionState.correction_requested.value:
        raise ApiError(
            409,
            "not_awaiting_correction",
            f"the case is {submission.state}, not waiting for a correction",
            "该申请当前不需要补正材料",
            {"receipt_no": submission.receipt_no, "state": submission.state},
        )
    return [e for e in submission.events if (e.detail or {}).get("action") == CORRECT_ACTION]


def _open_items(submission: Submission, round_no: int) -> list[CorrectionItem]:
    """The items of the correction the case is waiting on."""
    requests = correction_requests(submission)
    if round_no != len(requests):
        raise ApiError(
            409,
            "stale_correction",
            f"the supplement answers correction {round_no}, the case waits on correction {len(requests)}",
            "补正告知已更新，请按最新的补正告知重新提交",
            {"receipt_no": submission.receipt_no, "correction_round": len(requests)},
        )
    return items_of_detail(requests[-1].detail or {})


def _check_materials(manifest: SupplementManifest, items: list[CorrectionItem]) -> None:
    """422 for pages the notice did not ask for, or a claimed "complete" that is not."""
    result = check_supplement(items, page_counts(manifest.materials))
    stray = [i.material_code for i in result.issues if i.code == "not_requested"]
    if stray:
        raise ApiError(
            422,
            "not_requested",
            f"materials not in the correction notice: {', '.join(str(s) for s in stray)}",
            "提交了补正告知以外的材料",
            {"keys": stray},
        )
    if manifest.completeness.complete and not result.complete:
        raise ApiError(
            422,
            "completeness_mismatch",
            "the supplement says complete but lacks items of the notice",
            "补正材料不全，请补齐告知中的全部内容",
            {"missing": [i.material_code for i in result.issues]},
        )


def _next_number(session: Session, submission: Submission) -> int:
    count = session.scalar(select(func.count()).where(Supplement.submission_id == submission.id))
    return int(count or 0) + 1


def _append_pages(
    session: Session, submission: Submission, manifest: SupplementManifest, number: int
) -> None:
    start = session.scalar(
        select(func.max(SubmissionPage.position)).where(SubmissionPage.submission_id == submission.id)
    )
    position = -1 if start is None else start
    for m_index, material in enumerate(manifest.materials):
        for p_index, page in enumerate(material.pages):
            position += 1
            session.add(
                SubmissionPage(
                    submission_id=submission.id,
                    position=position,
                    material_index=m_index,
                    page_index=p_index,
                    requirement_code=material.key,
                    sha256=page.sha256,
                    supplement=number,
                )
            )
