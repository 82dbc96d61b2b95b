"""Originals mailed with the transfer slip: a station's tracking number joins the case once.

Exactly once per ``mailing_uuid``: a replay gets the stored acknowledgement byte for
byte; the same uuid with other content is a 409 ``conflict``. One mailing per case (one
envelope travels with the slip): a second under another uuid is a 409 ``already_mailed``.
Only the collecting station's kiosks record it (403), and only for a case whose guide
asks for a mailed original of a material it was submitted with (409
``no_originals_to_mail``). The department sees the tracking number beside each expected
original (``workspace.originals``) and on the transfer slip (附录 B).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.mailing import OriginalMailing, OriginalMailingAck, originals_to_mail

from .cases import locked_case
from .db import utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .models import Matter, Submission
from .models import OriginalMailing as MailingRow


def content_digest(mailing: OriginalMailing) -> str:
    body = mailing.model_dump(mode="json")
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def expected_originals(session: Session, submission: Submission) -> dict[str, str]:
    """Code → name of the originals this case's guide wants mailed."""
    matter = session.get(Matter, submission.matter_code)
    guide = ((matter.body if matter else {}).get("guide") or {}).get("materials", [])
    handed_in = [m.get("requirement_code") for m in submission.manifest.get("materials", [])]
    return originals_to_mail(guide, handed_in)


def record_mailing(
    session: Session, principal: KioskPrincipal, mailing: OriginalMailing, now: datetime | None = None
) -> tuple[str, bool]:
    """``(ack JSON, created)``; raises :class:`ApiError` 403/404/409 as the module says."""
    digest = content_digest(mailing)
    replay = _replay(session, mailing, digest)
    if replay is not None:
        return replay, False
    _own_station(principal, mailing.station_code)
    submission = locked_case(session, mailing.receipt_no)
    replay = _replay(session, mailing, digest)  # a twin request may have committed while we waited
    if replay is not None:
        return replay, False
    _own_station(principal, submission.station_code)
    _not_yet_mailed(session, submission)
    wanted = expected_originals(session, submission)
    if not wanted:
        raise ApiError(
            409,
            "no_originals_to_mail",
            "this case's guide asks for no mailed original",
            "该办件的办事指南没有要求寄送原件",
        )
    now = now or utcnow()
    ack = OriginalMailingAck(
        mailing_uuid=mailing.mailing_uuid, receipt_no=submission.receipt_no, tracking_no=mailing.tracking_no,
        materials=list(wanted), received_at=now,
    ).model_dump_json()  # fmt: skip
    row = MailingRow(
        mailing_uuid=mailing.mailing_uuid, submission_id=submission.id, kiosk_id=principal.kiosk_id,
        station_code=mailing.station_code, receipt_no=submission.receipt_no, tracking_no=mailing.tracking_no,
        recorded_by=mailing.recorded_by, materials=list(wanted), mailed_at=mailing.mailed_at,
        received_at=now, content_digest=digest, ack_body=ack,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return ack, True


def mailing_of(session: Session, submission_id: int) -> MailingRow | None:
    return session.scalars(select(MailingRow).where(MailingRow.submission_id == submission_id)).first()


def _replay(session: Session, mailing: OriginalMailing, digest: str) -> str | None:
    row = session.scalars(select(MailingRow).where(MailingRow.mailing_uuid == mailing.mailing_uuid)).first()
    if row is None:
        return None
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this mailing_uuid was sent with different content",
            "该原件寄送记录已以不同内容提交",
            {"mailing_uuid": str(mailing.mailing_uuid)},
        )
    return row.ack_body


def _own_station(principal: KioskPrincipal, station_code: str) -> None:
    if station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_station",
            "only the collecting station mails a case's originals",
            "只能登记本服务站收件的原件寄送",
        )


def _not_yet_mailed(session: Session, submission: Submission) -> None:
    earlier = mailing_of(session, submission.id)
    if earlier is not None:
        raise ApiError(
            409,
            "already_mailed",
            "this case's originals were already recorded as mailed",
            "该办件的原件寄送已登记，不能重复登记",
            {"mailing_uuid": str(earlier.mailing_uuid), "tracking_no": earlier.tracking_no},
        )
