"""补正 at another station: find a case by receipt number AND the applicant's ID number (an
enterprise applicant: its unified social credit code).

No enumeration: an unknown receipt and a wrong ID number get the same 404 refusal, and
each kiosk has an hourly budget of attempts (429 when spent). Every attempt is recorded
in its own committed transaction before the answer (the budget counts failures too, and
the rows are the audit trail). A match returns the open correction notice and a *grant*
(``lookup_grant``: kiosk, receipt and expiry under the installation's lookup key) that
this kiosk's supplement for the case must carry before it expires (``supplements._case``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_schema.supplement import LookupAnswer, LookupRequest, items_of_detail

from . import lookup_grant
from .db import Database, utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .id_lookup import digest, lookup_key
from .models import Kiosk, Submission, SubmissionLookup, SupplementLookupAttempt
from .supplements import correction_requests

WINDOW = timedelta(hours=1)
REFUSED_ZH = "受理编号或证件号码不正确，请核对后再试"  # the same for a person and an enterprise


def look_up(
    db: Database,
    principal: KioskPrincipal,
    request: LookupRequest,
    per_hour: int,
    grant_lifetime: timedelta,
    now: datetime | None = None,
) -> LookupAnswer:
    """The open notice of the case, or ApiError 429 / 404 (same for unknown and mismatch) / 409."""
    now = now or utcnow()
    with db.transaction(write=True) as session:
        attempt = _count_attempt(session, principal, request.receipt_no, per_hour, now)
    with db.transaction() as session:
        submission = _matching_case(session, request)
        if submission is None:
            raise ApiError(
                404, "lookup_refused", "no case matches this receipt number and identity", REFUSED_ZH
            )
        answer = _notice(session, principal, submission, now, grant_lifetime)
    with db.transaction(write=True) as session:
        session.get_one(SupplementLookupAttempt, attempt).found = True
    return answer


def _count_attempt(
    session: Session, principal: KioskPrincipal, receipt_no: str, per_hour: int, now: datetime
) -> int:
    # The kiosk's row is locked first, so concurrent attempts (on any node) count one by one.
    session.execute(select(Kiosk.kiosk_id).where(Kiosk.kiosk_id == principal.kiosk_id).with_for_update())
    used = session.scalar(
        select(func.count()).where(
            SupplementLookupAttempt.kiosk_id == principal.kiosk_id, SupplementLookupAttempt.at > now - WINDOW
        )
    )
    if int(used or 0) >= per_hour:
        raise ApiError(
            429,
            "lookup_rate_limited",
            f"at most {per_hour} lookups per kiosk per hour",
            f"查询次数过多，本终端每小时最多查询 {per_hour} 次，请稍后再试或到原受理服务站办理",
            {"per_hour": per_hour},
        )
    row = SupplementLookupAttempt(kiosk_id=principal.kiosk_id, receipt_no=receipt_no, at=now)
    session.add(row)
    session.flush()
    return row.id


def _matching_case(session: Session, request: LookupRequest) -> Submission | None:
    """The case of this receipt whose applicant is this person (ID number) or enterprise
    (credit code); the identity is compared as its keyed digest, never as plain text."""
    id_digest = digest(lookup_key(session.connection()), request.identity)
    return session.scalars(
        select(Submission)
        .join(SubmissionLookup, SubmissionLookup.submission_id == Submission.id)
        .where(
            Submission.receipt_no == request.receipt_no,
            Submission.applicant_kind == request.applicant_kind.value,
            SubmissionLookup.id_digest == id_digest,
        )
    ).first()


def _notice(
    session: Session, principal: KioskPrincipal, submission: Submission, now: datetime, lifetime: timedelta
) -> LookupAnswer:
    requests = correction_requests(submission)
    last = requests[-1]
    return LookupAnswer(
        receipt_no=submission.receipt_no,
        correction_round=len(requests),
        items=items_of_detail(last.detail or {}),
        message=last.message_zh,
        notice_due=(last.detail or {}).get("notice_due"),
        lookup_grant=lookup_grant.issue(session, principal.kiosk_id, submission.receipt_no, now, lifetime),
    )
