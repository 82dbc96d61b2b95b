"""How a result reaches the applicant (送达方式): their choice first, any change explained.

The complete form starts at the method the applicant chose at the kiosk (the manifest's
``delivery.method``). Staff may pick another, but only with a reason, which is kept in
the 办结 event (``delivery_reason``) and shown in the case history. ``electronic``
(an electronic result the applicant prints at a service-station kiosk) is offered only
for matters whose guide names an electronic result.
"""

from __future__ import annotations

from typing import Any

from ..models import Matter, Submission
from .actions import text_field
from .errors import WorkspaceError

LABELS = {
    "pickup": "送至收件站点领取",
    "mail": "邮寄",
    "online": "线上领取（仅电子结果）",
    "electronic": "电子结果（服务站自助终端打印）",
}
ELECTRONIC_ONLY = {"online", "electronic"}


def offers_electronic(matter: Matter | None) -> bool:
    """The guide names an electronic result (电子证照) or online delivery."""
    body = matter.body if matter is not None else {}
    return "electronic_certificate" in body.get("result_kinds", []) or "online" in body.get(
        "delivery_options", []
    )


def methods_for(matter: Matter | None) -> list[tuple[str, str]]:
    """The choices of the complete form, in order."""
    return [(k, v) for k, v in LABELS.items() if k != "electronic" or offers_electronic(matter)]


def applicant_choice(submission: Submission) -> str:
    return (submission.manifest.get("delivery") or {}).get("method") or "pickup"


def checked_delivery(
    submission: Submission, matter: Matter | None, kind: str, method: str, reason: str | None
) -> dict[str, Any]:
    """Refuse an impossible method; the event detail recording a change and its reason."""
    if method not in dict(methods_for(matter)):
        raise WorkspaceError("delivery method not offered", "请选择本事项提供的送达方式")
    if kind == "paper" and method in ELECTRONIC_ONLY:
        raise WorkspaceError("bad delivery", "纸质结果须邮寄或送至服务站领取")
    chosen = applicant_choice(submission)
    if method == chosen:
        return {"applicant_choice": chosen}
    why = text_field(reason, "变更送达方式的理由")
    return {"applicant_choice": chosen, "delivery_reason": why}


def change_note(detail: dict[str, Any]) -> str:
    """The case history's line for a changed delivery method ('' when unchanged)."""
    if not detail.get("delivery_reason"):
        return ""
    before = LABELS.get(detail.get("applicant_choice", ""), detail.get("applicant_choice", ""))
    after = LABELS.get(detail.get("delivery", ""), detail.get("delivery", ""))
    return f"送达方式由申请人选择的「{before}」改为「{after}」，理由：{detail['delivery_reason']}"
