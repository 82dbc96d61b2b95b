"""The kiosk's formal check (形式审查) of one matter's materials: every issue at once.

The standard asks the window to tell the applicant *everything* that must be corrected
in one go (一次性告知, 8.2.1), so nothing here stops at the first problem: missing
materials, unanswered or answered-yes conditional materials, page counts, unreadable
pages, and identity numbers that disagree are all collected into one list, in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared_schema import Applicant, CompletenessIssue, CompletenessResult, MaterialKind, Matter
from shared_schema.supplement import CorrectionItem, check_supplement

from .types import PageResult

# ID numbers read from these kinds are the reference the others must match
ID_SOURCES = (MaterialKind.id_card_front,)


def _issue(code: str, message: str, material: str | None = None) -> CompletenessIssue:
    return CompletenessIssue(code=code, material_code=material, message=message)


def _answer(answers: Mapping[str, bool], code: str, question: str | None) -> bool | None:
    """Answers may be keyed by material code or by the question text itself."""
    if code in answers:
        return bool(answers[code])
    if question and question in answers:
        return bool(answers[question])
    return None


def _material_issues(matter: Matter, pages: Mapping[str | None, Sequence[PageResult]], answers) -> list:
    issues = []
    for req in matter.guide.materials:
        supplied = list(pages.get(req.code, []))
        if not supplied:
            answer = _answer(answers, req.code, req.condition)
            if req.required:
                issues.append(_issue("missing_material", f"缺少材料：{req.name}。", req.code))
            elif answer is True:
                issues.append(
                    _issue(
                        "missing_conditional_material",
                        f"{req.condition}您选择了“是”，请提交：{req.name}。",
                        req.code,
                    )
                )
            elif answer is None:
                issues.append(
                    _issue(
                        "question_unanswered", f"请回答：{req.condition}如是，需提交{req.name}。", req.code
                    )
                )
            continue
        if len(supplied) < req.min_pages:
            issues.append(
                _issue(
                    "too_few_pages", f"{req.name}应至少{req.min_pages}页，现只有{len(supplied)}页。", req.code
                )
            )
        if req.max_pages is not None and len(supplied) > req.max_pages:
            issues.append(
                _issue(
                    "too_many_pages",
                    f"{req.name}最多{req.max_pages}页，现有{len(supplied)}页，请去掉多余的页。",
                    req.code,
                )
            )
        issues += unreadable_issues(req.name, req.code, supplied)
    stray = list(pages.get(None, []))
    for page in (p for p in stray if not p.ok):
        why = "；".join(p.message for p in page.problems) or "无法识别"
        issues.append(_issue("unreadable_page", f"有一页看不清（{why}），请重新拍摄。"))
    unplaced = sum(1 for p in stray if p.ok)
    if unplaced:
        issues.append(_issue("unrecognised_pages", f"有{unplaced}页无法确认是哪份材料，请核对或重新拍摄。"))
    return issues


def unreadable_issues(name: str, code: str | None, pages: Sequence[PageResult]) -> list[CompletenessIssue]:
    """One issue per page of material ``name`` the scan could not read, numbered from 1."""
    issues = []
    for number, page in enumerate(pages, start=1):
        if not page.ok:
            why = "；".join(p.message for p in page.problems) or "无法识别"
            issues.append(_issue("unreadable_page", f"{name}第{number}页看不清（{why}），请重新拍摄。", code))
    return issues


def check_supplement_pages(
    items: Sequence[CorrectionItem], pages: Mapping[str, Sequence[PageResult]]
) -> CompletenessResult:
    """补正: the same check against a correction notice's items — every item has pages,
    nothing outside the notice, every page readable — all issues at once."""
    result = check_supplement(items, {key: len(found) for key, found in pages.items()})
    issues = list(result.issues)
    for item in items:
        issues += unreadable_issues(item.text, item.key, pages.get(item.key, []))
    return CompletenessResult(complete=not issues, issues=issues)


def _identity_issues(matter: Matter, pages, applicant_id: str | None, applicant_uscc: str | None) -> list:
    """Every ID number read on the materials must equal the ID card's and the applicant's."""
    kinds = {req.code: req.hints.kind for req in matter.guide.materials}
    names = {req.code: req.name for req in matter.guide.materials}
    card_ids = {
        p.fields["id_number"]
        for code, ps in pages.items()
        if code and kinds.get(code) in ID_SOURCES
        for p in ps
        if p.fields.get("id_number")
    }
    issues = []
    if applicant_id and card_ids and applicant_id not in card_ids:
        issues.append(_issue("id_mismatch", "身份证上的号码与申请人登记的身份证号码不一致，请核对。"))
    reference = {applicant_id} if applicant_id else card_ids
    for code, ps in pages.items():
        if not code:
            continue
        for p in ps:
            found = p.fields.get("id_number")
            if found and reference and found not in reference and kinds.get(code) not in ID_SOURCES:
                issues.append(
                    _issue("id_mismatch", f"{names[code]}上的身份证号码与身份证上的不一致，请核对。", code)
                )
                break
            uscc = p.fields.get("uscc")
            if uscc and applicant_uscc and uscc != applicant_uscc:
                issues.append(
                    _issue("uscc_mismatch", f"{names[code]}上的统一社会信用代码与申请人登记的不一致。", code)
                )
                break
    return issues


def check_completeness(
    matter: Matter,
    pages: Mapping[str | None, Sequence[PageResult]],
    applicant: Applicant | str | None = None,
    answers: Mapping[str, bool] | None = None,
) -> CompletenessResult:
    """``pages`` maps a requirement code (``None`` = unclassified) to its pages."""
    if isinstance(applicant, Applicant):
        applicant_id, applicant_uscc = applicant.id_number, applicant.uscc
    else:
        applicant_id, applicant_uscc = applicant, None
    issues = _material_issues(matter, pages, answers or {})
    issues += _identity_issues(matter, pages, applicant_id, applicant_uscc)
    return CompletenessResult(complete=not issues, issues=issues)
