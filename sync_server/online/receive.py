"""The way back to an online applicant (送达, standard §7.3): the result file and the rating.

Only the case's own applicant reaches here (``cases.owned_case``). The electronic result
is the stamped PDF the department stored (``workspace.results``); every download is
audited. A result meant for online pickup (delivery ``online``) is *delivered* the first
time its applicant downloads it: the 送达 event is recorded then, as a station records a
handover, so nobody in the department has to confirm it by hand. The rating at handling
(一次一评, once per case whichever channel) is stored by the phone rating's
``store_handle_rating`` with channel ``online``. The rating of the collection (收件, asked
on the "done" page and on the case page until given) is stored by the kiosk's own
``fleet.record_evaluation`` (stage ``collect``, channel ``online``), once per case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import Evaluation as RatingForm
from shared_schema import EvaluationStage, RatingReason
from shared_schema import SubmissionState as S

from ..blobstore import BlobStore
from ..enrollment import KioskPrincipal
from ..events import record_event
from ..fleet import record_evaluation
from ..models import Evaluation, Submission
from ..workspace import audit, notify
from ..workspace.errors import WorkspaceError
from ..workspace.models import CaseResult
from ..workspace.phone_rating import RATED_STATES, parse, stage_rating, store_handle_rating
from ..workspace.results import read_bytes

ACTOR = "online:applicant"  # events and audit rows: the signed-in applicant (no phone number kept)
DOWNLOAD_ACTION = "online_result_download"
ONLINE_DELIVERY = "online"
ONLINE_CHANNEL = "online"  # evaluations.channel of the applicant's own ratings


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str


def who(remote_addr: str | None, user_agent: str | None) -> audit.Who:
    return audit.Who(None, ACTOR, "applicant", remote_addr, user_agent)


def download(
    session: Session, store: BlobStore, sub: Submission, public_id: str, actor: audit.Who, now: datetime
) -> Download:
    """The PDF of ``sub``'s result ``public_id``; 404 for anything but an electronic result of it."""
    row = session.scalars(
        select(CaseResult).where(CaseResult.submission_id == sub.id, CaseResult.public_id == public_id[:40])
    ).first()
    if row is None or row.sha256 is None:
        raise WorkspaceError("no electronic result with this id for this case", "未找到办理结果", status=404)
    data = read_bytes(store, row.sha256)
    audit.record(
        session, actor, DOWNLOAD_ACTION, submission_id=sub.id, receipt_no=sub.receipt_no,
        detail={"result_id": row.public_id, "sha256": row.sha256},
    )  # fmt: skip
    if row.delivery == ONLINE_DELIVERY and sub.state == S.completed.value:
        # no SMS: the applicant is the one downloading
        record_event(
            session, sub, S.delivered, notify.delivered_text(ONLINE_DELIVERY),
            {"action": "deliver", "how": ONLINE_DELIVERY}, actor=ACTOR, at=now,
        )  # fmt: skip
    return Download(data, f"result-{sub.receipt_no}.pdf")


def rate(
    session: Session, sub: Submission, score: str, reasons: list[str], comment: str, now: datetime
) -> Evaluation:
    """The applicant's rating at handling; 409 before a result or when rated already."""
    value, picked, text = parse(score, reasons, comment)
    if sub.state not in RATED_STATES:
        raise WorkspaceError("the case has no result to rate yet", "申请办结后才能评价", status=409)
    return store_handle_rating(
        session, sub, value, picked, text, now, channel=ONLINE_CHANNEL, recorded_by=None
    )


def rate_collection(
    session: Session, sub: Submission, score: str, reasons: list[str], comment: str, now: datetime
) -> Evaluation:
    """The applicant's rating of the collection, any time after submitting, stored by the
    kiosk's own ``record_evaluation`` (channel online); 409 the second time. ``sub`` must
    be locked: the lock makes "once" hold when two taps race."""
    value, picked, text = parse(score, reasons, comment)
    if stage_rating(session, sub.receipt_no, EvaluationStage.collect) is not None:
        raise WorkspaceError("already rated at collection", "该申请的收件已评价（一次一评）", status=409)
    if not sub.station_code or not sub.kiosk_id:
        raise WorkspaceError("the case names no desk", "该申请没有收件服务站，无法记录评价", status=409)
    rating = RatingForm(
        evaluation_uuid=uuid.uuid4(), receipt_no=sub.receipt_no, station_code=sub.station_code,
        at_stage=EvaluationStage.collect, score=value, comment=text,
        reasons=[RatingReason(r) for r in picked], created_at=now,
    )  # fmt: skip
    desk = KioskPrincipal(sub.kiosk_id, sub.station_code, secret="")  # the desk that took the application
    ack, _ = record_evaluation(session, desk, rating, now, channel=ONLINE_CHANNEL)
    return session.scalars(select(Evaluation).where(Evaluation.evaluation_uuid == ack.evaluation_uuid)).one()
