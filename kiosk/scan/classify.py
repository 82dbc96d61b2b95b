"""Which ``MaterialRequirement`` of the chosen matter a page is.

Evidence, each scored 0..1 and averaged with weights: the requirement's own recognition
hints (``keywords`` all should appear, ``any_keywords`` one should, ``barcode_patterns``)
and built-in cues for its ``kind`` (the wording every ID card, household
register and business licence carries); a page of the wrong shape (``page_size``) has
its score scaled down. A page that names itself a document (``TITLE``: an application
form, a notice, a register page) is not a kind whose page carries another title or none
(``OWN_TITLE``): an application form's table repeats an ID card's labels and number, and
was taken for the card's front (so the kiosk counted the card as supplied), or for a
household register page. Keywords match fuzzily by character n-gram
overlap in a sliding window, so one misread character costs a little, not everything.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from shared_schema import MaterialKind, MaterialRequirement

from .types import Barcode, MaterialMatch

KIND_CUES: dict[MaterialKind, list[str]] = {
    MaterialKind.id_card_front: ["姓名", "性别", "民族", "出生", "住址", "公民身份号码"],
    MaterialKind.id_card_back: ["中华人民共和国", "居民身份证", "签发机关", "有效期限"],
    MaterialKind.household_register: ["常住人口登记卡", "户主或与户主关系", "出生地", "籍贯", "公民身份号码"],
    MaterialKind.business_licence: ["营业执照", "统一社会信用代码", "法定代表人", "经营范围", "登记机关"],
}
# the fields a kind always carries: finding one valid is strong evidence
KIND_FIELDS = {
    MaterialKind.id_card_front: "id_number",
    MaterialKind.household_register: "id_number",
    MaterialKind.business_licence: "uscc",
}
ASPECT = {"id_card": 85.6 / 54.0, "A4": 297 / 210, "A5": 210 / 148}
NAME_NOISE = re.compile(r"(复印件|原件|及|或|一份|副本|正本|[（(].*?[)）])")
WEIGHTS = {"keywords": 3.0, "any_keywords": 1.0, "cues": 3.0, "field": 1.0, "barcodes": 1.0}
# words that name a document: a page that reads one names itself (read exactly: a misread
# title leaves the page to its other evidence, as before)
TITLE = re.compile(r"申请表|登记表|审批表|通知书|决定书|转办单|登记卡|办事指南|营业执照")
# the title each kind's page carries; an identity card's face carries none
OWN_TITLE: dict[MaterialKind, str | None] = {
    MaterialKind.id_card_front: None,
    MaterialKind.id_card_back: None,
    MaterialKind.household_register: "常住人口登记卡",
    MaterialKind.business_licence: "营业执照",
}
OWN_TITLE_READ = 0.5  # fuzzy match at which the kind's own title counts as read
WRONG_SIZE = 0.6  # a card-shaped page is rarely an A4 form: the content score is scaled down
MIN_SCORE = 0.35


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _grams(s: str, n: int) -> set[str]:
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def keyword_score(keyword: str, text: str) -> float:
    """How well ``keyword`` appears in ``text``: 1 exact, less per misread character.

    Half unigram, half bigram recall in the best window of ``len(keyword)+1`` characters,
    squared so a shared prefix ("申请材料…") does not pass for the whole title.
    """
    k, t = _flat(keyword), _flat(text)
    if not k:
        return 0.0
    if k in t:
        return 1.0
    if len(k) < 2 or len(t) < 2:
        return 0.0
    uni, bi = set(k), _grams(k, 2)
    width = min(len(k) + 1, len(t))
    u = np.array([c in uni for c in t], dtype=float)
    b = np.array([t[i : i + 2] in bi for i in range(len(t) - 1)], dtype=float)
    est_u = np.convolve(u, np.ones(width), "valid")
    est_b = np.convolve(b, np.ones(width - 1), "valid")[: len(est_u)]
    est = np.minimum(est_u[: len(est_b)] / len(uni), 1) + np.minimum(est_b / len(bi), 1)
    best = 0.0
    for start in np.argsort(-est)[:5]:
        window = t[start : start + width]
        score = 0.5 * len(uni & set(window)) / len(uni) + 0.5 * len(bi & _grams(window, 2)) / len(bi)
        best = max(best, score)
    return best**2


def page_size_of(shape: tuple[int, ...] | None) -> str | None:
    if not shape:
        return None
    h, w = shape[:2]
    ratio = max(h, w) / max(1, min(h, w))
    size, gap = min(((s, abs(ratio - a)) for s, a in ASPECT.items() if s != "A5"), key=lambda x: x[1])
    return size if gap < 0.09 else None


def implicit_keywords(req: MaterialRequirement) -> list[str]:
    """A form or document with no keywords is recognised by its own name (its title)."""
    if req.hints.keywords or req.hints.kind in KIND_CUES:
        return list(req.hints.keywords)
    name = NAME_NOISE.sub("", req.name)
    return [name] if len(name) >= 2 else []


def evidence(
    req: MaterialRequirement, text: str, barcodes: list[Barcode], size: str | None, fields: dict[str, str]
) -> dict[str, float]:
    hints = req.hints
    found: dict[str, float] = {}
    keywords = implicit_keywords(req)
    if keywords:
        found["keywords"] = sum(keyword_score(k, text) for k in keywords) / len(keywords)
    if hints.any_keywords:
        found["any_keywords"] = max(keyword_score(k, text) for k in hints.any_keywords)
    cues = KIND_CUES.get(hints.kind)
    if cues:
        found["cues"] = sum(min(1.0, keyword_score(c, text) * 1.2) for c in cues) / len(cues)
    if hints.kind in KIND_FIELDS:
        found["field"] = 1.0 if KIND_FIELDS[hints.kind] in fields else 0.0
    if hints.barcode_patterns:
        hit = any(re.search(p, b.data) for p in hints.barcode_patterns for b in barcodes)
        found["barcodes"] = 1.0 if hit else 0.0
    return found


def titled_otherwise(kind: MaterialKind, text: str) -> bool:
    """Whether the page names itself a document (``TITLE``) while a page of ``kind`` carries
    another title or none: then it is not one, however many of the kind's labels it shows."""
    if kind not in OWN_TITLE or TITLE.search(_flat(text)) is None:
        return False
    own = OWN_TITLE[kind]
    return own is None or keyword_score(own, text) < OWN_TITLE_READ


def size_factor(req: MaterialRequirement, size: str | None) -> float:
    expected = "A4" if req.hints.page_size == "A5" else req.hints.page_size
    return 1.0 if size is None or expected in (size, "photo") else WRONG_SIZE


def classify(
    text: str,
    requirements: list[MaterialRequirement],
    *,
    barcodes: list[Barcode] | None = None,
    image_shape: tuple[int, ...] | None = None,
    fields: dict[str, str] | None = None,
) -> MaterialMatch:
    """The best-fitting requirement, or ``code=None`` when nothing fits well enough.

    ``confidence`` is the winner's score, lowered when the runner-up is close.
    """
    size = page_size_of(image_shape)
    scores: dict[str, float] = {}
    for req in requirements:
        if titled_otherwise(req.hints.kind, text):
            scores[req.code] = 0.0
            continue
        found = evidence(req, text, barcodes or [], size, fields or {})
        total = sum(WEIGHTS[k] for k in found)
        content = sum(WEIGHTS[k] * v for k, v in found.items()) / total if total else 0.0
        scores[req.code] = round(content * size_factor(req, size), 3)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < MIN_SCORE:
        return MaterialMatch(code=None, confidence=0.0, scores=scores)
    best = ranked[0][1]
    margin = best - (ranked[1][1] if len(ranked) > 1 else 0.0)
    confidence = best * min(1.0, 0.5 + margin / 0.3)
    return MaterialMatch(code=ranked[0][0], confidence=round(confidence, 3), scores=scores)
