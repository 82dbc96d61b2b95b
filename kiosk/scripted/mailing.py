"""Scripted 原件寄送 on the assist screen: staff log in, type their name on the pinyin pad,
the receipt number and the mail tracking number on the code pad (switching its digits and
letters pages), record the mailing and log out.

The cases come from ``TONGBAN_RETURN_MAILINGS`` (JSON: ``[{"receipt_no": …, "tracking_no":
…}]``), read by the return script (``tongban kiosk run --script return``).
"""

from __future__ import annotations

import json
import os

from ..ui.keypad import ReceiptPad
from ..visit.steps import Step
from .driver import Driver, ScriptError
from .visits import DEMO_PIN, STAFF_NAME, type_chinese

MAILINGS = "TONGBAN_RETURN_MAILINGS"


def asked_mailings() -> list[dict]:
    return json.loads(os.environ.get(MAILINGS, "[]"))


def record_mailings(driver: Driver) -> list[dict]:
    return [record_mailing(driver, ask["receipt_no"], ask["tracking_no"]) for ask in asked_mailings()]


def type_code(driver: Driver, text: str) -> None:
    """On the assist screen's code pad now shown, switching its pages as a finger would."""
    [pad] = [w for w in driver.screen.walk(restrict=True) if isinstance(w, ReceiptPad)]
    for key in text:
        if key not in pad.keys:
            driver.tap(pad.switch_label)
        driver.tap(key)


def record_mailing(driver: Driver, receipt_no: str, tracking_no: str) -> dict:
    """The words on the screen after recording, and what the kiosk queued."""
    driver.tap("Staff", expect=Step.assist)
    driver.type_keys(DEMO_PIN)
    driver.tap("Unlock")
    if not driver.screen.unlocked:
        raise ScriptError("the demo PIN was refused")
    driver.tap("Staff name")
    type_chinese(driver, STAFF_NAME)
    driver.tap("Mailing no.")
    type_code(driver, receipt_no)
    driver.tap("Tracking no.")
    type_code(driver, tracking_no)
    driver.shot("assist-mailing")
    driver.tap("Record mailing")
    message = driver.screen.message.raw
    desk = driver.app.ctx.mailings
    view = desk.for_receipt(receipt_no) if desk is not None else None
    driver.tap("Log out")
    return {
        "receipt_no": receipt_no,
        "message": message,
        "queued": view.tracking_no if view else None,
        "state": view.state if view else None,
    }
