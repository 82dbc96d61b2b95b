"""The kiosk's 意见建议 desk (standard 5.5): what a resident chose and typed becomes a sealed
note in the offline queue (:mod:`kiosk.store.feedback`) under a feedback number made here
and shown at once; the administrator's answer is read back by that number (any kiosk) or
by the receipt number given with it (this station) from the server when the kiosk is online.
A mistyped feedback number is refused by its check digit before anything is asked.

The note the server keeps is in Chinese whatever the screen's language: the administrator
reads it. Network and answer problems become a plain sentence for the resident (and a log
line), never a silent empty list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared_schema import Catalog, SchemaError
from shared_schema.feedback import FeedbackAnswer, FeedbackAnswers, FeedbackLookup, FeedbackNote
from shared_schema.feedback_no import OutOfNumbers, Parsed, display, parse

from ..i18n import _
from ..store.feedback import About, FeedbackNotes, LocalFeedback
from ..store.feedback_numbers import NoFeedbackPrefix
from ..sync.errors import SyncError, TransientError

if TYPE_CHECKING:
    from ..store.home import KioskStore
    from ..sync.client import ApiClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reason:
    key: str
    label: str  # msgid: what the button says
    zh: str  # what the administrator reads
    about: About


REASONS = (
    Reason("materials", "The list of materials is hard to understand", "材料清单看不懂", "guide"),
    Reason("guide", "The service guide is not clear", "办事指南写得不清楚", "guide"),
    Reason("add", "Please add a service", "希望增加事项", "matter"),
    Reason("other", "Something else", "其他", "matter"),
)


class FeedbackRefused(Exception):
    """What the resident chose or typed cannot be sent; ``message_zh`` says why."""

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


def note_text(reason: Reason, typed: str) -> str:
    """The reason, then the resident's own words when they typed any."""
    words = " ".join(typed.split())
    return f"{reason.zh}：{words}" if words else reason.zh


class FeedbackDesk:
    def __init__(
        self, store: KioskStore, station_code: str, catalog: Catalog, client: Callable[[], ApiClient]
    ) -> None:
        self.queue = FeedbackNotes(store)
        self.station_code, self.catalog, self.client = station_code, catalog, client

    def leave(self, matter_code: str, reason: Reason, typed: str, receipt_no: str | None) -> FeedbackNote:
        """Queue the note (sealed); the sync worker sends it."""
        try:
            return self.queue.leave(
                station_code=self.station_code,
                matter_code=matter_code,
                about=reason.about,
                text=note_text(reason, typed),
                receipt_no=receipt_no,
            )
        except SchemaError as exc:
            log.info("feedback not queued: %s", exc)
            raise FeedbackRefused("意见内容过长或含有无法识别的字符，请删减后再提交。") from None
        except (NoFeedbackPrefix, OutOfNumbers) as exc:
            log.error("feedback not queued: %s", exc)
            raise FeedbackRefused("本机暂时不能提交意见，请找工作人员。") from None

    def fetch_answers(self, lookup: FeedbackLookup) -> list[FeedbackAnswer]:
        """The server's answers to residents' feedback by number or given with a receipt
        (slow: off the UI thread); raises SyncError or SchemaError."""
        client = self.client()
        try:
            body = client.call("POST", "/feedback/answers", json_body=lookup.to_json_dict()).body
        finally:
            client.close()
        return FeedbackAnswers.parse(body, source="POST /feedback/answers").answers

    @staticmethod
    def local_lines(notes: list[LocalFeedback]) -> list[str]:
        """What this kiosk knows without the network: notes still waiting, or refused."""
        lines = []
        if any(not n.sent and not n.refused for n in notes):
            lines.append(_("Your feedback is kept here and will be sent once the kiosk is online."))
        if any(n.refused for n in notes):
            lines.append(_("Your feedback could not be sent. Please ask the staff."))
        return lines

    def answer_lines(self, receipt_no: str, online: bool) -> list[str]:
        """Every line about feedback given with this receipt (asks the server when online)."""
        notes = self.queue.for_receipt_all(receipt_no)
        lines = self.local_lines(notes)
        if not online:
            if any(n.sent for n in notes):
                lines.append(_("The kiosk is offline: answers to your feedback cannot be read now."))
            return lines
        return lines + self._asked(FeedbackLookup(receipt_no=receipt_no), receipt_no)

    def number_lines(self, typed: str, online: bool) -> list[str]:
        """The lines for a typed feedback number: a typo is refused by its check digit; a
        note still waiting here says so; online, the server's answer (or that none is known)."""
        verdict, number = parse(typed)
        if verdict is Parsed.typo:
            return [_("This feedback number is not right: please check each digit and type it again.")]
        if verdict is Parsed.malformed:
            return [_("A feedback number has 14 digits after YJ (older ones 10). Please check it.")]
        notes = self.queue.for_number(number)
        lines = self.local_lines(notes)
        if any(not n.sent for n in notes):
            return lines  # still here: the server cannot know it yet
        if not online:
            return [*lines, _("The kiosk is offline: answers to your feedback cannot be read now.")]
        found = self._asked(FeedbackLookup(numbers=[number]), number)
        return lines + (found or [_("No feedback has this number. Please check it.")])

    def _asked(self, lookup: FeedbackLookup, what: str) -> list[str]:
        try:
            answers = self.fetch_answers(lookup)
        except TransientError as exc:
            log.warning("feedback answers for %s not read: %s", what, exc)
            if exc.status == 429:  # this kiosk's lookup budget is spent for the minute
                return [_("Too many lookups at this kiosk. Please try again in a minute.")]
            return [_("Answers to your feedback cannot be read now. Please try again later.")]
        except (SyncError, SchemaError) as exc:
            log.warning("feedback answers for %s not read: %s", what, exc)
            return [_("Answers to your feedback cannot be read now. Please try again later.")]
        return [self.describe(a) for a in answers]

    def describe(self, item: FeedbackAnswer) -> str:
        try:
            matter = self.catalog.matter(item.matter_code).name
        except KeyError:
            matter = item.matter_code
        if item.state == "answered" and item.answer:
            return _("Answer to your feedback on {matter} ({no}): {answer}").format(
                matter=matter, no=display(item.feedback_no), answer=item.answer
            )
        return _("Your feedback on {matter} ({no}) was received; it has not been answered yet.").format(
            matter=matter, no=display(item.feedback_no)
        )
