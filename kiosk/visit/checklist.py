"""The materials a resident must bring for one matter, given their answers.

Some materials are needed only in some cases ("是否委托他人代办?"); the kiosk asks each
such question once and lists exactly what applies, so no one is sent home for a paper
that was never needed, nor accepted without one that was.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_schema import MaterialForm, MaterialRequirement, Matter

FORM_WORDS = {
    MaterialForm.original: "原件",
    MaterialForm.copy: "复印件",
    MaterialForm.electronic: "电子材料",
}


@dataclass(frozen=True)
class ChecklistItem:
    requirement: MaterialRequirement
    needed: bool
    pages_have: int

    @property
    def pages_missing(self) -> int:
        return max(self.requirement.min_pages - self.pages_have, 0) if self.needed else 0

    @property
    def done(self) -> bool:
        return self.pages_missing == 0

    def describe(self) -> str:
        """The line a resident reads: name, form, copies, where it comes from."""
        req = self.requirement
        text = f"{req.name}（{FORM_WORDS[req.form]} {req.copies} 份，{req.source}）"
        return text + (f"：{req.note}" if req.note else "")


def questions(matter: Matter) -> list[MaterialRequirement]:
    """Conditional materials, each carrying the yes/no question to ask."""
    return [m for m in matter.guide.materials if m.condition]


def unanswered(matter: Matter, answers: dict[str, bool]) -> list[MaterialRequirement]:
    return [m for m in questions(matter) if m.code not in answers]


def is_needed(requirement: MaterialRequirement, answers: dict[str, bool]) -> bool:
    """Always-required materials are needed; conditional ones only when answered yes."""
    if requirement.condition:
        return answers.get(requirement.code, False)
    return requirement.required


def checklist(matter: Matter, answers: dict[str, bool], page_counts: dict[str, int]) -> list[ChecklistItem]:
    return [
        ChecklistItem(req, is_needed(req, answers), page_counts.get(req.code, 0))
        for req in matter.guide.materials
        if is_needed(req, answers)
    ]
