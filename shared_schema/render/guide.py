"""A matter's service guide (办事指南) as a PDF the resident can take home."""

from __future__ import annotations

from ..catalog import Matter

FORM_WORDS = {"original": "原件", "copy": "复印件", "electronic": "电子材料"}


def guide_rows(matter: Matter) -> list[tuple[str, str]]:
    """Every guide element as (label, text); the screen shows the same rows."""
    g = matter.guide
    fees = "；".join(f"{f.item} {f.amount_yuan} 元" for f in g.fees) or "不收费"
    rows = [
        ("服务对象", g.applicant_scope),
        ("实施主体", g.implementing_body),
        ("设定依据", "；".join(g.basis)),
        ("受理条件", "；".join(g.conditions)),
        ("办理流程", "；".join(f"{i}. {s.name}：{s.description}" for i, s in enumerate(g.process, 1))),
        ("法定时限", f"{matter.legal_days} 个工作日"),
        ("承诺时限", f"{matter.promised_days} 个工作日" if matter.promised_days else "即办"),
        ("收费标准", fees + (f"（{g.fee_basis}）" if g.fee_basis else "")),
        ("审批结果", g.result_name + (f"（{g.result_sample}）" if g.result_sample else "")),
        ("结果送达", g.delivery_note),
        ("数量限制", g.quantity_limit),
        ("办理地点", g.location),
        ("办理时间", g.hours),
        ("咨询电话", g.consultation_phone),
        ("监督投诉", g.complaint_phone),
        ("进度查询", g.progress_query),
    ]
    if g.special_procedures:
        rows.append(("特别程序", g.special_procedures))
    rows += [("常见问题", q) for q in g.faq]
    return rows


def guide_lines(matter: Matter) -> list[str]:
    """The guide as text lines, for thermal printers."""
    lines = [matter.name, "办事指南"] + [f"{k}：{v}" for k, v in guide_rows(matter)]
    return lines + [f"材料：{m.name}" for m in matter.guide.materials]


def render_guide(matter: Matter) -> bytes:
    # ReportLab here, not at the top: the kiosk's guide screen imports guide_rows only
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from .layout import build_pdf, grid_table, para

    materials: list[list[object]] = [["序号", "材料名称", "形式", "份数", "来源", "说明"]]
    for i, m in enumerate(matter.guide.materials, start=1):
        note = "；".join(x for x in (m.condition and f"如{m.condition}", m.note) if x)
        materials.append([str(i), m.name, FORM_WORDS[m.form.value], str(m.copies), m.source, note])
    story = [
        para(f"{matter.name}", "title"),
        para("办事指南", "title"),
        Spacer(1, 4 * mm),
        grid_table([list(r) for r in guide_rows(matter)], [28 * mm, 142 * mm], header=False),
        Spacer(1, 4 * mm),
        para("申请材料："),
        grid_table(materials, [12 * mm, 52 * mm, 18 * mm, 12 * mm, 30 * mm, 46 * mm]),
    ]
    return build_pdf(story, f"办事指南 {matter.name}")
