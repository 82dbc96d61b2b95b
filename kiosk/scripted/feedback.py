"""The scripted 意见建议 walk (issue 14, 5.5): a resident reads the pension guide, taps 意见建议,
picks 材料清单看不懂, adds a word on the pinyin pad and sends; the thank-you says what happens
next and shows the feedback number, printed on a slip on request; the app's own sync
worker sends the note. Then, on the progress screen, that number is typed on the digit pad
with two digits swapped (refused by its check digit) and then right (the note, not yet
answered, read from the server), and every receipt number a note was left with here is
typed and looked up: the administrator's answer (read from the server) shows. Used by the
end-to-end test (``tongban kiosk run --script feedback``) and for the screenshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kivy.uix.label import Label
from sqlalchemy import select

from ..store.models import QueuedFeedback
from ..visit.steps import Step
from .driver import Driver, ScriptError
from .visits import PENSION, type_chinese, type_receipt_no

REASON = "The list of materials is hard to understand"
WORDS = "表格"  # typed on the pinyin pad: biao, ge
SYNC_S = 120  # the worker's first cycle on a loaded machine


@dataclass
class FeedbackWalk:
    thanks: list[str] = field(default_factory=list)  # the thank-you screen's lines
    feedback_no: str = ""  # the number the thank-you screen showed
    slip: str = ""  # what the thank-you screen said after 打印意见编号
    by_number: dict[str, list[str]] = field(default_factory=dict)  # typed number → the screen's lines
    queued_after_send: int = 0  # 待发送 feedback right after sending (0 if the worker was quicker)
    sent_by_worker: bool = False  # the app's sync worker emptied the queue
    back_to: str = ""  # where Done led
    answers: dict[str, list[str]] = field(default_factory=dict)  # receipt → the progress screen's lines


def _receipts_with_feedback(driver: Driver) -> list[str]:
    desk = driver.app.ctx.feedback
    if desk is None:
        raise ScriptError("the kiosk has no feedback desk (no store)")
    query = select(QueuedFeedback.receipt_no).where(QueuedFeedback.receipt_no.is_not(None)).distinct()
    with desk.queue.store.db.read() as s:
        return sorted(r for r in s.scalars(query) if r)


def run_feedback(driver: Driver) -> FeedbackWalk:
    ctx = driver.app.ctx
    walk = FeedbackWalk()
    driver.wait(ctx.sync.online, SYNC_S, "the sync worker to reach the server")
    driver.tap("Search by name")
    driver.type_keys("ylbx")
    driver.tap(ctx.catalog.matter(PENSION).name, expect=Step.guide)
    driver.shot("feedback-guide")
    driver.tap("Feedback", expect=Step.feedback)
    driver.tap(REASON)
    type_chinese(driver, WORDS)
    driver.shot("feedback-chosen")
    driver.tap("Send feedback")
    if not driver.screen.sent:
        raise ScriptError(f"the feedback was not taken: {driver.screen.problem!r}")
    walk.queued_after_send = ctx.outbox.counts().feedback
    shown = reversed(driver.screen.body.children)
    walk.thanks = [getattr(w, "raw", w.text) for w in shown if isinstance(w, Label)]
    walk.feedback_no = driver.screen.feedback_no
    driver.shot("feedback-thanks")
    driver.tap("Print the number")
    driver.idle()
    walk.slip = driver.screen.print_note
    driver.wait(lambda: ctx.outbox.counts().feedback == 0, SYNC_S, "the worker to send the feedback")
    walk.sent_by_worker = True
    driver.tap("Done", expect=Step.guide)
    walk.back_to = driver.step.value
    driver.tap("Home", expect=Step.home)
    digits = walk.feedback_no.removeprefix("YJ")
    slip = digits[:-2] + digits[-1] + digits[-2]  # two neighbours swapped
    if slip == digits:
        slip = digits[:-1] + str((int(digits[-1]) + 1) % 10)  # or one digit off
    for typed in (slip, digits):  # a slip of the finger, then right
        walk.by_number[typed] = _look_up(driver, typed, "feedback-by-number")
    for receipt_no in _receipts_with_feedback(driver):
        walk.answers[receipt_no] = _look_up(driver, receipt_no, "feedback-answer")
    return walk


def _look_up(driver: Driver, number: str, shot: str) -> list[str]:
    """Type a number on the progress screen and look it up: the lines it shows."""
    driver.tap("Progress and pickup", expect=Step.status_pickup)
    type_receipt_no(driver, number)
    driver.tap("Look up")
    driver.idle()
    lines = [text for text, _colour in driver.screen.lines]
    driver.shot(shot)
    driver.tap("Home", expect=Step.home)
    return lines
