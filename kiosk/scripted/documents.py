"""The papers a scripted resident lays under the virtual camera.

Drawn with the scan package's synthetic document renderer for one consistent demo
person (the same name and ID number on the card, the household register and the forms),
then photographed by its virtual camera model: slight tilt, desk background, noise.
One deliberately blurred capture lets the visit show the quality gate and a retake.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import cv2

from kiosk.scan.synth import documents as docs
from kiosk.scan.synth.camera import CameraParams, photograph
from kiosk.scan.synth.identities import Person, make_person
from kiosk.scan.synth.render import BOLD, Sheet, available_faces, mm, pt

from .papers import PERSON_FILE

SEED = "tongban-demo-resident"
PARAMS = CameraParams(
    frame=(1600, 1200),
    tilt_x=4.0,
    tilt_y=-3.0,
    roll=2.0,
    fill=0.8,
    background="plain",
    light_gradient=0.1,
    noise_sigma=2.0,
    blur_sigma=0.0,
    jpeg_quality=90,
)


@dataclass
class DemoPapers:
    person: Person
    files: dict[str, Path]


def demo_person() -> Person:
    return make_person(random.Random(SEED))


def _form(title: str, person: Person, extra: list[list[str]]) -> Sheet:
    face = available_faces()[0]
    sheet = Sheet(210.0, 297.0, face)
    sheet.centred(mm(22), title, pt(18), BOLD)
    rows = [
        ["姓名", person.name, "性别", person.sex],
        [
            "出生日期",
            f"{person.birth.year}年{person.birth.month}月{person.birth.day}日",
            "民族",
            person.nation,
        ],
        ["公民身份号码", person.id_number, "", ""],
        ["联系电话", person.phone, "", ""],
        ["户籍地址", person.address, "", ""],
        *extra,
        [
            "本人签字",
            person.name,
            "申请日期",
            f"{date.today().year}年{date.today().month}月{date.today().day}日",
        ],
    ]
    sheet.table(mm(15), mm(40), [36, 80, 26, 38], rows, 13, pt(12), face, label_cols=(0, 2))
    return sheet


def _card(kind: str, person: Person) -> Sheet:
    rng = random.Random(SEED + kind)
    sheet = Sheet(*docs.ID_CARD, available_faces()[0], paper=(245, 246, 250))
    (docs.id_card_front if kind == "front" else docs.id_card_back)(sheet, rng, person)
    return sheet


def _register(person: Person, head: bool) -> Sheet:
    rng = random.Random(SEED + ("head" if head else "self"))
    sheet = Sheet(210.0, 297.0, available_faces()[0])
    docs.household_register(sheet, rng, person if not head else replace(person), pt(12))
    return sheet


def _shoot(sheet_bgr, path: Path, seed: int, **overrides) -> Path:
    capture = photograph(sheet_bgr, replace(PARAMS, **overrides), seed=seed)
    cv2.imwrite(str(path), capture.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def _pages(person: Person) -> dict[str, object]:
    """How to draw each paper (called only for the ones not on disk yet)."""
    return {
        "id_front": lambda: _card("front", person).to_bgr(),
        "id_back": lambda: _card("back", person).to_bgr(),
        "register_head": lambda: _register(person, True).to_bgr(),
        "register_self": lambda: _register(person, False).to_bgr(),
        "pension_form": lambda: _form(
            "城乡居民基本养老保险参保登记表", person, [["缴费档次", "每年 500 元", "", ""]]
        ).to_bgr(),
        "medical_form": lambda: _form(
            "基本医疗保险跨省异地就医登记备案表", person, [["就医地", "北京市", "备案类型", "异地长期居住"]]
        ).to_bgr(),
    }


def id_card_capture(person: Person, path: Path, seed: int = 0) -> Path:
    """The front of ``person``'s ID card under the camera: a resident who brings their card
    (the tests draw one for the applicant of a case)."""
    return _shoot(_card("front", person).to_bgr(), path, seed, fill=0.55, frame=(1600, 1200))


def make_demo_papers(folder: Path) -> DemoPapers:
    """Render (once) every capture the demo visit needs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    person = demo_person()
    draw = _pages(person)
    files = {name: folder / f"{name}.jpg" for name in [*draw, "id_back_blurred"]}
    for seed, name in enumerate(draw):
        if files[name].exists():
            continue
        card = name.startswith("id_")  # A4 pages on a 5 MP frame: about 150 dpi, enough for OCR
        _shoot(draw[name](), files[name], seed, fill=0.55 if card else 0.9,
               frame=(1600, 1200) if card else (2592, 1944))  # fmt: skip
    if not files["id_back_blurred"].exists():
        _shoot(draw["id_back"](), files["id_back_blurred"], 99, fill=0.55, blur_sigma=9.0)
    return DemoPapers(person, files)


def write_person(folder: Path, person: Person) -> None:
    """What the scripted visit types (name, ID number, phone, address), for ``papers.py``."""
    facts = {k: getattr(person, k) for k in ("name", "id_number", "phone", "address")}
    (folder / PERSON_FILE).write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    papers = make_demo_papers(Path(sys.argv[1]))
    write_person(Path(sys.argv[1]), papers.person)
