"""The SMS outbox and its pluggable sender.

Messages are queued in the same transaction as the event that causes them (so a
rolled-back decision sends nothing) and sent after commit by :func:`dispatch`, or later
by ``tongban server sms-dispatch``. The default :class:`LogTableSender` writes each
message to the ``sms_log`` table; a real gateway is one class with ``send`` away, named
in the ``SMS_SENDER`` setting (``package.module:ClassName``).
"""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database, utcnow
from .models import SmsLogEntry, SmsMessage

log = logging.getLogger("tongban.workspace.sms")
MAX_ATTEMPTS = 5


class SmsSender(Protocol):
    def send(self, session: Session, message: SmsMessage) -> str:
        """Hand the message to the gateway; return its reference. Raise to retry later."""
        ...


class LogTableSender:
    """Writes to ``sms_log`` instead of a gateway (development, demos, tests)."""

    def send(self, session: Session, message: SmsMessage) -> str:
        entry = SmsLogEntry(message_id=message.id, phone=message.phone, text=message.text)
        session.add(entry)
        session.flush()
        return f"log-{entry.id}"


def load_sender(path: str | None) -> SmsSender:
    if not path:
        return LogTableSender()
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)()


def queue(
    session: Session, phone: str, text: str, submission_id: int | None, event_id: int | None
) -> SmsMessage:
    message = SmsMessage(
        submission_id=submission_id, event_id=event_id, phone=phone, text=text, status="pending", attempts=0
    )
    session.add(message)
    return message


def dispatch(db: Database, sender: SmsSender, limit: int = 100) -> int:
    """Send pending messages, one transaction each; returns how many were sent."""
    sent = 0
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(SmsMessage.id)
                .where(SmsMessage.status == "pending")
                .order_by(SmsMessage.id)
                .limit(limit)
            )
        )
    for message_id in ids:
        with db.transaction(write=True) as session:
            message = session.get(SmsMessage, message_id)
            if message is None or message.status != "pending":
                continue
            message.attempts += 1
            try:
                message.provider_ref = sender.send(session, message)[:80]
            except Exception as exc:  # any gateway failure: keep it queued, log no number or text
                message.last_error = type(exc).__name__[:200]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"
                log.warning("sms %s not sent (%s)", message_id, type(exc).__name__)
                continue
            message.status = "sent"
            message.sent_at = utcnow()
            sent += 1
    return sent
