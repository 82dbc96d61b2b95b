"""Feedback on a matter or guide (standard 5.5): leave it, answer it, read the answer.

Residents leave it at the kiosk (no login; they keep the feedback number the kiosk made and
showed, and may give a receipt number to find it by), station and department staff in the
workspace. Numbers carry a check digit and the kiosk's feedback prefix
(:mod:`shared_schema.feedback_no`); the server keeps the kiosk's number or refuses the note
(409): a number under another kiosk's prefix, or one taken already, is never replaced,
since the resident already holds it. The city administrator answers, optionally linking
the catalog draft that makes the change.
Functions leave the transaction to the caller; failures are :class:`ApiError`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.feedback import (
    MAX_LOOKUP,
    FeedbackAck,
    FeedbackAnswer,
    FeedbackAnswers,
    FeedbackLookup,
    FeedbackNote,
)
from shared_schema.feedback_no import kiosk_of, server_number

from . import catalog_versions as versions
from .db import utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .models import Feedback, Kiosk
from .models.catalog import Matter as MatterRow
from .once import insert_once

TEXT_MIN, TEXT_MAX = 2, 500
ABOUT = ("matter", "guide")
RESIDENT, STATION, DEPARTMENT = "resident", "station", "department"
OPEN, ANSWERED = "open", "answered"


def check_text(text: str | None, what: str = "feedback") -> str:
    clean = (text or "").strip()
    if not TEXT_MIN <= len(clean) <= TEXT_MAX:
        raise ApiError(
            400,
            "bad_text",
            f"{what} must be {TEXT_MIN}-{TEXT_MAX} characters",
            f"请填写 {TEXT_MIN}–{TEXT_MAX} 个字",
        )
    return clean


def _taken(session: Session, number: str) -> bool:
    return session.scalar(select(Feedback.id).where(Feedback.feedback_no == number)) is not None


def _number(session: Session, wanted: str | None = None) -> str:
    """The kiosk's number, or 409 if it is taken (the resident holds it already: giving the
    note another would show them someone else's answer); the server's own when none."""
    if wanted is None:
        number = server_number()
        while _taken(session, number):  # nobody holds it yet: drawing again is safe
            number = server_number()
        return number
    if _taken(session, wanted):
        raise ApiError(409, "feedback_no_taken", f"feedback number {wanted} is taken by another note",
                       "意见编号已被占用，请联系工作人员")  # fmt: skip
    return wanted


def leave(
    session: Session,
    *,
    matter_code: str,
    about: str,
    text: str,
    source: str,
    author: str | None = None,
    station_code: str | None = None,
    kiosk_id: str | None = None,
    receipt_no: str | None = None,
    client_uuid: uuid.UUID | None = None,
    feedback_no: str | None = None,
) -> Feedback:
    if about not in ABOUT:
        raise ApiError(400, "bad_about", "about must be matter or guide", "请选择事项或办事指南")
    if session.get(MatterRow, matter_code) is None:
        raise ApiError(404, "no_such_matter", f"no matter {matter_code}", "没有这个事项")
    item = Feedback(
        feedback_no=_number(session, feedback_no),
        client_uuid=client_uuid,
        matter_code=matter_code,
        about=about,
        text=check_text(text),
        source=source,
        author=author,
        station_code=station_code,
        kiosk_id=kiosk_id,
        receipt_no=receipt_no,
        created_at=utcnow(),
        state=OPEN,
    )
    session.add(item)
    session.flush()
    return item


def get(session: Session, feedback_id: int, *, for_update: bool = False) -> Feedback:
    query = select(Feedback).where(Feedback.id == feedback_id)
    item = session.scalars(query.with_for_update() if for_update else query).first()
    if item is None:
        raise ApiError(404, "no_such_feedback", f"no feedback {feedback_id}", "没有这条意见建议")
    return item


def answer(
    session: Session, feedback_id: int, text: str | None, by: str, draft_id: int | None = None
) -> Feedback:
    """The administrator's answer; a linked draft must exist (it carries the change)."""
    item = get(session, feedback_id, for_update=True)
    if draft_id is not None:
        versions.get_draft(session, draft_id)
    item.answer = check_text(text, "answer")
    item.draft_id, item.answered_by, item.answered_at, item.state = draft_id, by, utcnow(), ANSWERED
    return item


def listing(
    session: Session, *, author: str | None = None, state: str | None = None, limit: int = 300
) -> list[Feedback]:
    """Newest first; ``author`` limits it to one staff member's own."""
    query = select(Feedback).order_by(Feedback.id.desc()).limit(limit)
    if author is not None:
        query = query.where(Feedback.author == author)
    if state is not None:
        query = query.where(Feedback.state == state)
    return list(session.scalars(query))


def for_resident(
    session: Session, *, feedback_no: str | None = None, receipt_no: str | None = None
) -> list[Feedback]:
    """What a resident may read at the kiosk: by the number they were given, or their receipt."""
    if feedback_no:
        query = select(Feedback).where(Feedback.feedback_no == feedback_no)
    elif receipt_no:
        query = select(Feedback).where(Feedback.receipt_no == receipt_no, Feedback.source == RESIDENT)
    else:
        raise ApiError(
            400, "number_required", "give a feedback or receipt number", "请输入意见编号或受理编号"
        )
    return list(session.scalars(query.order_by(Feedback.id).limit(20)))


# -- from the kiosk ------------------------------------------------------------------------


def record_note(session: Session, principal: KioskPrincipal, note: FeedbackNote) -> tuple[FeedbackAck, bool]:
    """Once per ``client_uuid``: a replay gets the same number, other content a 409, and so
    does a number made under another kiosk's feedback prefix."""
    if note.station_code != principal.station_code:
        raise ApiError(403, "not_your_station", "feedback is taken for the kiosk's own station only",
                       "只能提交本服务站的意见建议")  # fmt: skip
    made_by = kiosk_of(note.feedback_no) if note.feedback_no else None
    if made_by is not None and made_by != session.get_one(Kiosk, principal.kiosk_id).feedback_prefix:
        raise ApiError(409, "feedback_no_wrong_kiosk",
                       f"feedback number {note.feedback_no} was not made under this kiosk's prefix",
                       "意见编号与本终端不符，请联系工作人员")  # fmt: skip

    def find() -> Feedback | None:
        return session.scalars(select(Feedback).where(Feedback.client_uuid == note.client_uuid)).first()

    def create() -> Feedback:
        return leave(session, matter_code=note.matter_code, about=note.about, text=note.text, source=RESIDENT,
                     station_code=note.station_code, kiosk_id=principal.kiosk_id, receipt_no=note.receipt_no,
                     client_uuid=note.client_uuid, feedback_no=note.feedback_no)  # fmt: skip

    row, created = insert_once(session, find, create)
    same = (row.matter_code, row.about, row.text, row.receipt_no, row.station_code)
    if same != (note.matter_code, note.about, note.text.strip(), note.receipt_no, note.station_code):
        raise ApiError(
            409, "conflict", "this client_uuid was sent with different content", "该意见已以不同内容提交"
        )
    return FeedbackAck(
        client_uuid=note.client_uuid, feedback_no=row.feedback_no, received_at=row.created_at
    ), created


def answers(session: Session, principal: KioskPrincipal, lookup: FeedbackLookup) -> FeedbackAnswers:
    """Residents' feedback only: by its numbers at any kiosk (each has 3 random digits, and
    the view holds every kiosk to a lookup budget, so walking them gets nowhere fast), or by
    the receipt given with it at the station where it was left (receipt numbers can be guessed)."""
    query = select(Feedback).where(Feedback.source == RESIDENT)
    if lookup.numbers:
        query = query.where(Feedback.feedback_no.in_(lookup.numbers))
    elif lookup.receipt_no:
        query = query.where(
            Feedback.receipt_no == lookup.receipt_no, Feedback.station_code == principal.station_code
        )
    else:
        raise ApiError(
            400, "number_required", "give feedback numbers or a receipt number", "请输入意见编号或受理编号"
        )
    rows = session.scalars(query.order_by(Feedback.id).limit(MAX_LOOKUP))
    return FeedbackAnswers(
        answers=[
            FeedbackAnswer(
                feedback_no=r.feedback_no,
                matter_code=r.matter_code,
                text=r.text,
                state=r.state,
                answer=r.answer,
                answered_at=r.answered_at,
            )
            for r in rows
        ]
    )
