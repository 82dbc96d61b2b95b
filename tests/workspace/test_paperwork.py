"""The appendix forms: A and B from the manifest, C (ledger) with exactly the standard's
columns on screen, in CSV and in XLSX, D (flow card) filled from the recorded events."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from shared_schema.forms import LEDGER_COLUMNS
from shared_schema.render.flow_card import NOTE

from .conftest import new_case
from .test_actions import act

LABELS = [label for _, label in LEDGER_COLUMNS]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "".join("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).split())


def run_case(app, client, kiosk, as_user) -> tuple[int, object]:
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    act(rev, case, "correct", {"items_text": "申请表缺少签名"})
    act(rev, case, "accept", {"opinion": "材料齐全予以受理"})
    act(rev, case, "special_start", {"kind": "inspection", "reason": "现场勘验住所"})
    act(rev, case, "special_end", {"reason": "勘验合格"})
    done = act(rev, case, "complete", {"opinion": "准予登记", "result_kind": "paper", "delivery": "mail",
                                       "tracking_no": "SF1000", "delivery_reason": "申请人要求邮寄"},
               )  # fmt: skip
    assert done.status_code == 303
    return case, rev


def test_receipt_notice_and_transfer_slip(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    notice = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/receipt_notice.pdf").data)
    assert "申请材料接收通知书" in notice and "张三" in notice and "城乡居民养老保险参保登记" in notice
    assert "沁水县人社局" in notice and "2日内转报" in notice and "居民身份证" in notice
    assert "南村镇便民服务中心" in notice
    slip = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/transfer_slip.pdf").data)
    assert "申请材料转办单" in slip and "郑重承诺" in slip and "接件单位" in slip
    assert "提交的以上材料真实合法有效" in slip and "13800138000" in slip
    assert rev.get(f"/workspace/submissions/{case}/forms/correction_notice.pdf").status_code == 404
    assert rev.get(f"/workspace/submissions/{case}/forms/bogus.pdf").status_code == 404


def test_flow_card_is_filled_from_events(app, client, kiosk, as_user):
    case, rev = run_case(app, client, kiosk, as_user)
    text = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/flow_card.pdf").data)
    for words in ["审批流程登记卡", "城乡居民养老保险参保登记", "张三", "10个工作日", "收件", "流转", "办理",
                  "送达", "勘验", "评审", "整改", "现场勘验住所", "勘验合格", "王审核", "准予登记",
                  "一次性告知补正：申请表缺少签名", "材料齐全予以受理", "邮寄送达", "SF1000", "系统自动分派",
                  "".join(NOTE.split())]:  # fmt: skip
        assert words in text, words
    correction = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/correction_notice.pdf").data)
    assert "补正告知书" in correction and "申请表缺少签名" in correction


def test_ledger_columns_screen_csv_xlsx(app, client, kiosk, as_user):
    _, rev = run_case(app, client, kiosk, as_user)
    new_case(app, client, kiosk, seq=2)
    screen = rev.get("/workspace/ledger").get_data(as_text=True)
    head = screen.split("<thead>")[1].split("</thead>")[0]
    assert [h for h in LABELS if h in head] == LABELS and head.count("<th>") == len(LABELS)

    raw = rev.get("/workspace/ledger.csv")
    assert raw.data.startswith(b"\xef\xbb\xbf") and raw.headers["Content-Disposition"].endswith('ledger.csv"')
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    assert rows[0] == LABELS and len(rows) == 3
    done = next(r for r in rows[1:] if r[9] == "已办结")
    assert done[1] == "沁水县人社局" and done[2] == "城乡居民养老保险参保登记" and done[3] == "1"
    assert done[4] == "承诺件" and done[5] == "张三" and done[6] == "13800138000"
    assert done[7] == "南村镇便民服务中心市域通办窗口" and done[8] == "王审核"
    assert "已一次性告知补正" in done[10] and "勘验" in done[10] and "SF1000" in done[10]

    book = load_workbook(io.BytesIO(rev.get("/workspace/ledger.xlsx").data))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == LABELS and len(values) == 3
    assert [str(v if v is not None else "") for v in values[1]] == rows[1]

    filtered = rev.get("/workspace/ledger.csv?state=completed").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2
    other = as_user("rev_b").get("/workspace/ledger.csv").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(other)))) == 1  # only the header: not their cases
