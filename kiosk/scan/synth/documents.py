"""Synthetic documents with ground truth: the standard's appendix forms filled in,
ID-card-like cards, a business licence with its QR code, a household register page, an
application form and a guide page. Deterministic by seed; 200 dpi BGR images.

The ground truth is what was drawn (``lines``) and which identifiers it carries
(``fields``), so the benchmark can score OCR, classification and extraction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import segno

from .identities import Company, Person, make_company, make_name, make_person
from .render import BOLD, DPI, MONO, FontFace, Sheet, available_faces, font, mm, pt
from .seal import SealTruth, stamp

KINDS = (
    "receipt_notice",
    "transfer_slip",
    "flow_card",
    "id_card_front",
    "id_card_back",
    "business_licence",
    "household_register",
    "application_form",
    "guide_page",
)
MATTERS = [
    ("城乡居民基本养老保险参保登记", "泽州县人力资源和社会保障局"),
    ("城乡居民基本医疗保险参保登记", "晋城市医疗保障局"),
    ("个体工商户设立登记", "晋城市市场监督管理局"),
]
A4 = (210.0, 297.0)
ID_CARD = (85.6, 54.0)


@dataclass
class Document:
    kind: str
    image: np.ndarray  # BGR uint8
    lines: list[str]  # ground truth in reading order
    fields: dict[str, str] = field(default_factory=dict)  # id_number, uscc, name …
    page_size: str = "A4"
    face: str = ""
    dpi: int = DPI
    seal: SealTruth | None = None  # the red seal stamped over it, if any
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # strings, codes drawn: x0 y0 x1 y1

    def legible(self, key: str) -> bool:
        """Whether identifier ``key`` is legible by the generator's truth (see ``seal``)."""
        return self.seal is None or self.seal.legible(key)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def text_mask(self) -> np.ndarray:
        """The page, white, with the box of every string and code drawn filled black: where
        the content is, as opposed to rules, frames and seals (``camera.photograph``'s
        ``text``, for the truth of whether a frame cut content or only a border)."""
        mask = np.full(self.image.shape[:2], 255, np.uint8)
        for x0, y0, x1, y1 in self.boxes:
            mask[max(0, y0) : y1, max(0, x0) : x1] = 0
        return mask


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _place(sheet: Sheet, y: float, px: int, items: list[tuple[float, float, str]]) -> None:
    """Lines below ``y``: (x in mm, distance below y in mm, text)."""
    for x, dy, text in items:
        sheet.text(mm(x), y + mm(dy), text, px)


def _materials(rng: random.Random) -> list[list[str]]:
    names = ["居民身份证复印件", "户口簿复印件", "参保登记表", "营业执照副本复印件", "委托书"]
    rows = [["序号", "材料名称", "数量", "页数", "备注"]]
    for i, name in enumerate(rng.sample(names, 3), start=1):
        rows.append([str(i), name, "1", str(rng.randrange(1, 4)), ""])
    return rows + [[str(i), "", "", "", ""] for i in range(4, 7)]


def receipt_notice(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    matter, dept = rng.choice(MATTERS)
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
    sheet.centred(mm(22), "申请材料接收通知书", pt(20), BOLD)
    y = mm(42)
    sheet.text(mm(20), y, f"{p.name}:", body)
    y = sheet.paragraph(
        mm(20),
        y + body * 1.8,
        mm(170),
        f"你申请办理的{matter}，属于{dept}的权限，我单位负责将你的申请材料在2日内转报到{dept}。",
        body,
    )
    sheet.text(mm(20), y + body * 0.5, "你的申请材料:", body)
    y = sheet.table(mm(20), y + body * 2.2, [18, 80, 22, 22, 28], _materials(rng), 11, body)
    _place(sheet, y, body, [
        (20, 8, f"你的联系方式: {p.phone}"),
        (20, 20, f"你的通讯地址: {p.address}"),
        (110, 36, "单位: 泽州县便民服务中心"),
        (130, 48, _cn_date(day)),
    ])  # fmt: skip
    return {"name": p.name, "phone": p.phone, "date": day.isoformat()}


def transfer_slip(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    matter, dept = rng.choice(MATTERS)
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
    sheet.centred(mm(22), "申请材料转办单", pt(20), BOLD)
    y = sheet.table(mm(20), mm(40), [18, 80, 22, 22, 28], _materials(rng), 11, body)
    sheet.text(mm(20), y + mm(8), "申请人承诺和联系方式", body)
    y = sheet.paragraph(
        mm(20),
        y + mm(18),
        mm(170),
        f"郑重承诺:我向{dept}申请办理{matter}，提交的以上材料真实合法有效，并对申请材料实质内容的"
        "真实性负责。如有虚假，愿意承担相应的法律责任。",
        body,
    )
    _place(sheet, y, body, [
        (90, 4, f"申请人(签名或盖章): {p.name}"),
        (20, 18, f"联系电话: {p.phone}"),
        (20, 30, f"收件地址: {p.address}"),
        (20, 44, "接件单位: 泽州县便民服务中心(章)"),
        (130, 56, _cn_date(day)),
    ])  # fmt: skip
    return {"name": p.name, "phone": p.phone, "date": day.isoformat()}


def flow_card(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    matter, _dept = rng.choice(MATTERS)
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
    receipt = f"ZZ-{rng.randrange(100, 999)}-{day:%Y%m%d}-{rng.randrange(1000, 9999)}"
    officer = make_name(rng)
    sheet.centred(mm(22), "审批流程登记卡", pt(20), BOLD)
    rows = [
        ["申请事项", matter, "", ""],
        ["申请人姓名", p.name, "", ""],
        ["联系人", p.name, "联系电话", p.phone],
        ["受理编号", receipt, "承诺时限", f"{rng.choice([5, 10, 15])}个工作日"],
        ["受理时间", _cn_date(day), "", ""],
    ]
    y = sheet.table(mm(15), mm(40), [32, 68, 30, 50], rows, 12, body, label_cols=(0, 2))
    stages = [["办理环节", "接件时间", "办结时间", "办理意见", "责任人"]]
    for i, name in enumerate(["收件", "流转", "办理", "送达"]):
        d = day + timedelta(days=i)
        stages.append([f"{i + 1} {name}", f"{d:%m-%d}", f"{d:%m-%d}", "同意" if i == 2 else "", officer])
    y = sheet.table(mm(15), y + mm(6), [36, 30, 30, 44, 40], stages, 11, body)
    special = [["特殊环节", "", "", "", ""], ["1 勘验", "", "", "", ""], ["2 评审", "", "", "", ""]]
    y = sheet.table(mm(15), y + mm(6), [36, 30, 30, 44, 40], special, 11, body)
    sheet.text(mm(15), y + mm(8), "备注：此表与其它审批文书及申请材料一起存档。", body)
    return {"name": p.name, "phone": p.phone, "date": day.isoformat()}


def application_form(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    matter, _dept = rng.choice(MATTERS)
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
    sheet.centred(mm(22), f"{matter}申请表", pt(18), BOLD)
    rows = [
        ["姓名", p.name, "性别", p.sex],
        ["民族", p.nation, "出生日期", _cn_date(p.birth)],
        ["公民身份号码", p.id_number, "", ""],
        ["联系电话", p.phone, "", ""],
        ["户籍地址", p.address, "", ""],
        ["申请人签字", p.name, "申请日期", _cn_date(day)],
    ]
    value_face = rng.choice(sheet.faces)
    sheet.table(mm(15), mm(40), [36, 80, 26, 38], rows, 13, body, value_face, label_cols=(0, 2))
    return {"name": p.name, "id_number": p.id_number, "phone": p.phone}


def household_register(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    sheet.centred(mm(18), "常住人口登记卡", pt(18), BOLD)
    rows = [
        ["姓名", p.name, "户主或与户主关系", rng.choice(["户主", "妻", "子", "女"])],
        ["性别", p.sex, "民族", p.nation + "族"],
        ["出生地", f"山西省晋城市{p.county}", "籍贯", "山西晋城"],
        ["出生日期", _cn_date(p.birth), "文化程度", rng.choice(["初中", "高中", "大学本科"])],
        ["公民身份号码", p.id_number, "", ""],
        ["住址", p.address[6:], "", ""],
        ["登记日期", _cn_date(date(2015, 6, 1)), "承办人", make_name(rng)],
    ]
    sheet.table(mm(10), mm(34), [40, 70, 44, 36], rows, 14, body, rng.choice(sheet.faces), (0, 2))
    return {"name": p.name, "id_number": p.id_number}


def guide_page(sheet: Sheet, rng: random.Random, p: Person, body: int) -> dict[str, str]:
    matter, dept = rng.choice(MATTERS)
    sheet.centred(mm(22), f"{matter}办事指南", pt(18), BOLD)
    y = mm(40)
    sections = [
        ("一、事项名称", matter),
        ("二、实施主体", dept),
        ("三、服务对象", "年满十六周岁、未参加职工基本养老保险的本市户籍城乡居民。"),
        ("四、申请材料", "居民身份证原件及复印件一份；户口簿原件及复印件一份；参保登记表一份。"),
        ("五、办理时限", f"承诺时限{rng.choice([3, 5, 10])}个工作日，特殊环节不计入承诺时限。"),
        ("六、咨询电话", f"0356-{rng.randrange(2000000, 9999999)}"),
    ]
    for head, text in sections:
        sheet.text(mm(20), y, head, body, BOLD)
        y = sheet.paragraph(mm(28), y + body * 1.7, mm(162), text, body) + body * 0.6
    return {}


def business_licence(sheet: Sheet, rng: random.Random, c: Company, body: int) -> dict[str, str]:
    sheet.draw.rectangle([mm(8), mm(8), mm(202), mm(289)], outline=(150, 40, 30), width=mm(2))
    qr = segno.make(f"https://www.gsxt.gov.cn/corp?uniscid={c.uscc}", error="m")
    matrix = np.array(qr.matrix, dtype=np.uint8)
    module = max(4, mm(28) // matrix.shape[0])
    qr_img = np.kron(1 - matrix, np.ones((module, module), dtype=np.uint8)) * 255
    qr_img = np.pad(qr_img, module * 2, constant_values=255)
    qr_x = mm(200) - qr_img.shape[1] - mm(8)
    sheet.paste_gray(qr_img, qr_x, mm(30))
    qr_box = (qr_x, mm(30), qr_x + qr_img.shape[1], mm(30) + qr_img.shape[0])
    sheet.boxes.append(("QR", qr_box))  # content too: what a cut frame loses
    label = "统一社会信用代码 "  # drawn apart from the number, so the number's box is known
    sheet.text(mm(20), mm(32), label, body, record=False)
    sheet.text(mm(20) + font(sheet.face, body).getlength(label), mm(32), c.uscc, body, record=False)
    sheet.lines.append(label + c.uscc)
    sheet.centred(mm(62), "营业执照", pt(36), BOLD, fill=(20, 20, 20))
    sheet.centred(mm(84), "(副 本)", pt(14))
    rows = [
        ("名称", c.name),
        ("类型", c.kind),
        ("法定代表人", c.legal_representative),
        ("经营范围", "农产品收购、销售；农业技术服务"),
        ("注册资本", f"{c.capital_wan}万元整"),
        ("成立日期", _cn_date(c.founded)),
        ("住所", c.address),
    ]
    y = mm(104)
    for label, value in rows:
        sheet.text(mm(24), y, label, body, record=False)
        sheet.text(mm(62), y, value, body, record=False)
        sheet.lines.append(f"{label} {value}")
        y += body * 2.2
    sheet.text(mm(110), y + mm(16), "登记机关 晋城市市场监督管理局", body)
    sheet.text(mm(130), y + mm(30), _cn_date(c.founded), body)
    return {"uscc": c.uscc}


def id_card_front(sheet: Sheet, rng: random.Random, p: Person) -> dict[str, str]:
    blue, px = (60, 90, 150), mm(3.0)
    sheet.draw.rounded_rectangle([mm(58), mm(8), mm(81), mm(36)], radius=6, fill=(215, 222, 228))
    sheet.text(mm(5), mm(6), "姓名", px, fill=blue, record=False)
    sheet.text(mm(16), mm(6), p.name, px)
    sheet.lines[-1] = f"姓名 {p.name}"
    sheet.text(mm(5), mm(13), "性别", px, fill=blue, record=False)
    sheet.text(mm(16), mm(13), p.sex, px, record=False)
    sheet.text(mm(26), mm(13), "民族", px, fill=blue, record=False)
    sheet.text(mm(37), mm(13), p.nation, px, record=False)
    sheet.lines.append(f"性别 {p.sex} 民族 {p.nation}")
    sheet.text(mm(5), mm(20), "出生", px, fill=blue, record=False)
    born = f"{p.birth.year} 年 {p.birth.month} 月 {p.birth.day} 日"
    sheet.text(mm(16), mm(20), born, px, record=False)
    sheet.lines.append(f"出生 {born}")
    sheet.text(mm(5), mm(27), "住址", px, fill=blue, record=False)
    first, rest = p.address[:11], p.address[11:]
    sheet.text(mm(16), mm(27), first, px, record=False)
    sheet.lines.append(f"住址 {first}")
    sheet.text(mm(16), mm(33), rest, px)
    sheet.text(mm(5), mm(44), "公民身份号码", px, fill=blue, record=False)
    sheet.text(mm(30), mm(43.5), p.id_number, mm(3.6), MONO, record=False)
    sheet.lines.append(f"公民身份号码 {p.id_number}")
    return {"name": p.name, "id_number": p.id_number}


def id_card_back(sheet: Sheet, rng: random.Random, p: Person) -> dict[str, str]:
    sheet.draw.ellipse([mm(5), mm(4), mm(21), mm(20)], fill=(200, 40, 40), outline=(230, 190, 60), width=4)
    sheet.draw.regular_polygon((mm(13), mm(12), mm(4)), 5, fill=(240, 200, 60))
    sheet.text(mm(27), mm(8), "中华人民共和国", mm(4.2), BOLD)
    sheet.text(mm(22), mm(18), "居民身份证", mm(6.5), BOLD)
    issued = date(rng.randrange(2010, 2024), p.birth.month, min(p.birth.day, 28))
    sheet.text(mm(14), mm(38), f"签发机关 晋城市公安局{p.county}分局", mm(3.0))
    sheet.text(mm(14), mm(45), f"有效期限 {issued:%Y.%m.%d}-{issued.year + 20}.{issued:%m.%d}", mm(3.0))
    return {}


def _card_paper(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(236, 250), rng.randrange(240, 250), rng.randrange(244, 255))


SEAL_OVER = {  # what a seal is stamped over: the name and identifier lines
    "application_form": ("id_number", "name"),
    "household_register": ("id_number", "name"),
    "business_licence": ("uscc",),
}


def render(kind: str, seed: int = 0, *, faces: list[FontFace] | None = None, seal: bool = False) -> Document:
    """One document of ``kind``; the same arguments always give the same pixels.

    ``faces``: the pool of faces to draw from (default the Noto faces, see
    ``render.available_faces``); ``seal``: stamp a red seal over the name and identifier
    lines (kinds in ``SEAL_OVER``; an error for others).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; choose one of {', '.join(KINDS)}")
    if seal and kind not in SEAL_OVER:
        raise ValueError(f"no seal on {kind!r}; seals go on {', '.join(SEAL_OVER)}")
    rng = random.Random(f"{kind}:{seed}")
    pool = available_faces(faces)
    face = rng.choice(pool)
    person = make_person(rng)
    if kind.startswith("id_card"):
        sheet = Sheet(*ID_CARD, face, paper=_card_paper(rng), faces=pool)
        truth = (id_card_front if kind == "id_card_front" else id_card_back)(sheet, rng, person)
        return Document(kind, sheet.to_bgr(), sheet.lines, truth, "id_card", face.name, boxes=_drawn(sheet))
    sheet = Sheet(*A4, face, faces=pool)
    body = pt(rng.choice([10.5, 12, 14]))
    if kind == "business_licence":
        truth = business_licence(sheet, rng, make_company(rng), body)
    else:
        truth = globals()[kind](sheet, rng, person, body)
    image = sheet.to_bgr()
    sealed = None
    if seal:
        over = [truth[key] for key in SEAL_OVER[kind] if key in truth]
        ids = {key: truth[key] for key in ("id_number", "uscc") if key in truth}
        sealed = stamp(image, sheet, over, random.Random(f"seal:{kind}:{seed}"), ids)
    return Document(kind, image, sheet.lines, truth, "A4", face.name, seal=sealed, boxes=_drawn(sheet))


def _drawn(sheet: Sheet) -> list[tuple[int, int, int, int]]:
    return [box for text, box in sheet.boxes if text.strip()]


def corpus(count: int, seed: int = 0) -> list[Document]:
    """``count`` documents cycling through every kind, for the benchmark."""
    return [render(KINDS[i % len(KINDS)], seed * 1000 + i) for i in range(count)]
