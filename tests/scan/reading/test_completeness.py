"""The formal check lists every issue at once (一次性告知), in Chinese."""

from __future__ import annotations

from kiosk.scan.completeness import check_completeness
from kiosk.scan.synth.matter import MATERIALS, synthetic_matter
from kiosk.scan.types import PageResult, Problem
from shared_schema import Applicant

ID = "140525199905091119"
OTHER_ID = "14052219880412108X"
REQUIRED = ("application_form", "id_card_front", "id_card_back", "household_register")
NO_TO_ALL = {"business_licence": False, "receipt_notice": False, "transfer_slip": False,
             "flow_card": False, "guide": False}  # fmt: skip


def page(code: str, ok: bool = True, **fields: str) -> PageResult:
    result = PageResult(source=f"{code}.jpg", ok=ok, fields=dict(fields))
    if not ok:
        result.problems.append(Problem("blurry", "照片模糊，请拿稳后重拍"))
    return result


def full_set() -> dict[str | None, list[PageResult]]:
    return {
        "application_form": [page("application_form", id_number=ID)],
        "id_card_front": [page("id_card_front", id_number=ID)],
        "id_card_back": [page("id_card_back")],
        "household_register": [page("household_register", id_number=ID)],
    }


def codes(result) -> list[tuple[str, str | None]]:
    return [(i.code, i.material_code) for i in result.issues]


def test_complete_set_is_complete(matter):
    result = check_completeness(matter, full_set(), ID, NO_TO_ALL)
    assert result.complete and result.issues == []


def test_every_issue_listed_at_once(matter):
    pages = full_set()
    del pages["id_card_back"]  # missing required material
    pages["application_form"] = [page("application_form", id_number=OTHER_ID)]  # differs from the card
    pages["id_card_front"].append(page("id_card_front", ok=False))  # unreadable second page
    pages[None] = [page("unknown")]  # a page nobody could place
    answers = {**NO_TO_ALL, "business_licence": True}  # says yes, brings no licence
    answers.pop("guide")  # never answered
    result = check_completeness(matter, pages, ID, answers)
    assert not result.complete
    assert codes(result) == [  # in the guide's material order, identity checks last
        ("unreadable_page", "id_card_front"),
        ("missing_material", "id_card_back"),
        ("missing_conditional_material", "business_licence"),
        ("question_unanswered", "guide"),
        ("unrecognised_pages", None),
        ("id_mismatch", "application_form"),
    ]
    messages = " ".join(i.message for i in result.issues)
    assert "缺少材料：申请人居民身份证（国徽面）" in messages
    assert "照片模糊" in messages and "营业执照副本" in messages and "是否附办事指南" in messages
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in i.message) for i in result.issues)


def test_page_counts(matter):
    materials = [dict(m) for m in MATERIALS]
    for m in materials:
        if m["code"] == "household_register":
            m.update(min_pages=2, max_pages=3)
    strict = synthetic_matter(materials)
    pages = full_set()
    result = check_completeness(strict, pages, ID, NO_TO_ALL)
    assert codes(result) == [("too_few_pages", "household_register")]
    assert "至少2页" in result.issues[0].message
    pages["household_register"] = [page("household_register")] * 4
    assert codes(check_completeness(strict, pages, ID, NO_TO_ALL)) == [
        ("too_many_pages", "household_register")
    ]


def test_applicant_id_differs_from_card(matter):
    pages = full_set()
    pages["id_card_front"] = [page("id_card_front", id_number=OTHER_ID)]
    result = check_completeness(matter, pages, ID, NO_TO_ALL)
    assert codes(result) == [("id_mismatch", None)]
    assert "身份证上的号码与申请人" in result.issues[0].message


def test_applicant_model_and_question_text_answers(matter):
    applicant = Applicant(
        kind="person", name="孙军杰", id_number=ID, phone="15077898692", home_division="140525"
    )
    answers = {req.condition: False for req in matter.guide.materials if req.condition}
    assert check_completeness(matter, full_set(), applicant, answers).complete


def test_without_applicant_form_is_checked_against_card(matter):
    pages = full_set()
    pages["household_register"] = [page("household_register", id_number=OTHER_ID)]
    result = check_completeness(matter, pages, None, NO_TO_ALL)
    assert codes(result) == [("id_mismatch", "household_register")]
