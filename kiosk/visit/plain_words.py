"""Everyday words beside administrative terms: a resident must understand a question
before answering it ("以异地长期居住人员身份备案" means nothing to most of them).

One table, term → explanation; :func:`explain` finds the terms in a text (the longest
first, a shorter term inside a found one is not explained twice).
"""

from __future__ import annotations

PLAIN: dict[str, str] = {
    "异地长期居住人员": "退休后到外地长期生活（比如去外地跟子女同住），或者长期在外地工作、居住的人。",
    "临时外出就医": "因为生病需要转到外地医院看病，或者在外地突然生病急诊。",
    "备案": "提前登记一下，让医保部门知道您要在外地看病，这样在外地看病也能用医保结算。",
    "异地就医": "在本市以外的地方看病。",
    "转诊": "本地医院开证明，让您转到外地医院看病。",
    "参保": "参加保险。",
    "户主页": "户口簿里写着户主的那一页（一般是第一页）。",
    "法定代表人": "营业执照上写的负责人。",
    "统一社会信用代码": "营业执照上的18位编码，由数字和大写字母组成。",
    "低保": "最低生活保障：家里收入低于当地标准时，政府每月给的生活补助。",
}


def explain(text: str) -> list[tuple[str, str]]:
    """(term, explanation) for each term of :data:`PLAIN` in ``text``, in text order."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for term in sorted(PLAIN, key=len, reverse=True):
        at = text.find(term)
        if at < 0 or any(a <= at < b or a < at + len(term) <= b for a, b in taken):
            continue
        taken.append((at, at + len(term)))
        found.append((at, term))
    return [(term, PLAIN[term]) for _at, term in sorted(found)]
