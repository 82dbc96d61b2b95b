"""The catalog pages (issue 14): only the city administrator drafts, edits and publishes;
the guide editor shows every problem beside its field; imports list every bad cell; the
public page needs no login and shows no personal data."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from flask import Flask
from sqlalchemy import select

from shared_schema.catalog_sheets import catalog_to_xlsx
from sync_server import catalog_versions as versions
from sync_server.db import get_db
from sync_server.models.catalog import CatalogDraft
from sync_server.workspace.catalog_form import state_of
from sync_server.workspace.models import AuditEntry
from tests.server.conftest import ApiClient, KioskCreds
from tests.server.factories import HOME_MATTER, QINSHUI, ZEZHOU, make_catalog
from tests.server.test_catalog_versions import catalog_versions  # noqa: F401  (fixture)

from .conftest import Browser

COUNTIES = [QINSHUI, ZEZHOU, "140502"]
BLANK = len(make_catalog().matter(HOME_MATTER).guide.materials)  # the editor's first empty row


def _form(app: Flask, draft_id: int, **changes: str) -> dict[str, Any]:
    """The editor's form as the page fills it, with ``changes`` typed over it."""
    with get_db(app).transaction() as session:
        matter = versions.draft_catalog(session.get_one(CatalogDraft, draft_id)).matter(HOME_MATTER)
    form: dict[str, Any] = {}
    for key, value in state_of(matter, COUNTIES).values.items():
        if value is True:
            form[key] = "on"
        elif value is not False:
            form[key] = str(value)
    form.update(changes)
    return form


def _new_draft(admin: Browser) -> int:
    answer = admin.post("/workspace/catalog/drafts")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def _actions(app: Flask) -> list[tuple[str, str]]:
    with get_db(app).transaction() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action).where(AuditEntry.action.like("catalog%"))
        )
        return [tuple(r) for r in rows]


def test_only_the_city_administrator_edits_and_publishes(catalog_versions: Flask, as_user: Any) -> None:  # noqa: F811
    app = catalog_versions
    admin = as_user("admin")
    draft_id = _new_draft(admin)
    for name in ("rev_a", "station", "auditor"):
        other = as_user(name)
        assert other.post("/workspace/catalog/drafts").status_code == 403
        assert other.get(f"/workspace/catalog/drafts/{draft_id}/matters/{HOME_MATTER}").status_code == 403
        assert (
            other.post(f"/workspace/catalog/drafts/{draft_id}/publish", {"reason": "越权发布"}).status_code
            == 403
        )
        assert other.post("/workspace/catalog/import", {}).status_code == 403
    assert as_user("rev_a").get("/workspace/catalog").status_code == 403
    auditor = as_user("auditor").get("/workspace/catalog")
    assert auditor.status_code == 200 and 'action="/workspace/catalog/import"' not in auditor.get_data(
        as_text=True
    )  # reads, cannot edit
    assert _actions(app) == [("admin", "catalog_draft")]


def test_the_editor_shows_every_problem_beside_its_field_and_saves_nothing(
    catalog_versions: Flask,  # noqa: F811
    as_user: Any,
) -> None:
    app = catalog_versions
    admin = as_user("admin")
    draft_id = _new_draft(admin)
    url = f"/workspace/catalog/drafts/{draft_id}/matters/{HOME_MATTER}"
    page = admin.get(url).get_data(as_text=True)
    assert 'name="guide.applicant_scope"' in page and 'name="guide.materials.0.name"' in page
    bad = _form(
        app,
        draft_id,
        **{
            "guide.applicant_scope": "",
            "guide.materials.0.copies": "两份",
            f"guide.materials.{BLANK}.name": "新增的一份材料",  # a new row without a code
            "guide.process": "提交申请\n受理：窗口受理",
            f"county.{QINSHUI}.consultation_phone": "12",
        },
    )
    answer = admin.post(url, bad)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    for field in (
        "guide.applicant_scope",
        "guide.materials.0.copies",
        f"guide.materials.{BLANK}.code",
        f"county.{QINSHUI}.consultation_phone",
    ):
        cell = html[html.index(f'name="{field}"') - 300 : html.index(f'name="{field}"') + 400]
        assert "field-error" in cell and ("invalid" in cell or "aria-invalid" in cell), field
    assert "缺少“：”" in html  # the process line without a separator
    assert "至少 2 个字" in html and "应填整数" in html and "必填" in html  # in the page's language
    assert 'value="两份"' in html  # what was typed stays on the page
    rule = admin.post(
        url, _form(app, draft_id, promised_days="99")
    )  # the rules across fields, once they parse
    assert rule.status_code == 400 and "承诺时限不能超过法定时限" in rule.get_data(as_text=True)
    with get_db(app).transaction() as session:
        assert versions.diff(session, "2026.01.01", f"draft-{draft_id}").empty


def test_edit_publish_reaches_the_catalog_endpoint_with_a_change_log(
    catalog_versions: Flask,  # noqa: F811
    as_user: Any,
    client: ApiClient,
    kiosk: KioskCreds,
) -> None:
    app = catalog_versions
    before = client.get("/catalog?format=4", kiosk).headers["ETag"]
    admin = as_user("admin")
    draft_id = _new_draft(admin)
    url = f"/workspace/catalog/drafts/{draft_id}/matters/{HOME_MATTER}"
    form = _form(
        app, draft_id, **{"guide.hours": "周一至周六 9:00-17:00", f"county.{QINSHUI}.hours": "周二、周四全天"}
    )
    answer = admin.post(url, form)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    draft_page = admin.get(f"/workspace/catalog/drafts/{draft_id}").get_data(as_text=True)
    assert "办理时间" in draft_page and "周一至周六 9:00-17:00" in draft_page  # the diff
    assert admin.post(f"/workspace/catalog/drafts/{draft_id}/publish", {"reason": ""}).status_code == 400
    published = admin.post(f"/workspace/catalog/drafts/{draft_id}/publish", {"reason": "统一周六办理时间"})
    assert published.status_code == 303
    served = client.get("/catalog?format=4", kiosk)
    assert served.headers["ETag"] != before
    matter = next(m for m in served.get_json()["matters"] if m["code"] == HOME_MATTER)
    assert matter["guide"]["hours"] == "周一至周六 9:00-17:00"
    overrides = [{k: v for k, v in o.items() if v} for o in matter["county_overrides"]]
    assert overrides == [{"division_code": QINSHUI, "hours": "周二、周四全天"}]
    older = client.get("/catalog?format=3", kiosk).get_json()
    assert "county_overrides" not in next(m for m in older["matters"] if m["code"] == HOME_MATTER)
    listing = admin.get("/workspace/catalog").get_data(as_text=True)
    assert "统一周六办理时间" in listing and "现行" in listing
    assert _actions(app) == [
        ("admin", "catalog_draft"),
        ("admin", "catalog_edit"),
        ("admin", "catalog_publish"),
    ]
    again = admin.post(url, form)
    assert again.status_code == 409  # the published draft is closed


def _workbook(**cells: Any) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(catalog_to_xlsx(make_catalog())))
    for where, value in cells.items():
        sheet, ref = where.split("_")
        book[sheet][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_lists_every_bad_cell_and_a_good_file_becomes_a_draft(
    catalog_versions: Flask,  # noqa: F811
    as_user: Any,
) -> None:
    app = catalog_versions
    admin = as_user("admin")
    bad = _workbook(材料_C3="x", 材料_D4="scan", 事项_B4=None)
    answer = admin.post("/workspace/catalog/import", {"catalog": (io.BytesIO(bad), "清单.xlsx")})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert re.search(r"材料!C3 \(name\)", html) and re.search(r"材料!D4 \(form\)", html)
    assert re.search(r"事项!B4 \(name\)", html) and "3 处问题" in html
    good = _workbook(事项_B3="城乡居民养老保险参保登记（新）")
    answer = admin.post("/workspace/catalog/import", {"catalog": (io.BytesIO(good), "清单.xlsx")})
    assert answer.status_code == 303
    draft_page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "导入文件 清单.xlsx" in draft_page and "城乡居民养老保险参保登记（新）" in draft_page
    export = admin.get("/workspace/catalog/export/2026.01.01.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert (
        admin.get("/workspace/catalog/export/2026.01.01.json").get_json()["version"]["version"]
        == "2026.01.01"
    )
    assert ("admin", "catalog_import") in _actions(app) and ("admin", "catalog_export") in _actions(app)


def test_public_page_needs_no_login_and_shows_no_personal_data(
    catalog_versions: Flask,  # noqa: F811
    as_user: Any,
) -> None:
    app = catalog_versions
    admin = as_user("admin")
    draft_id = _new_draft(admin)
    form = _form(app, draft_id, **{f"county.{QINSHUI}.location": "沁水县政务服务中心二楼"})
    admin.post(f"/workspace/catalog/drafts/{draft_id}/matters/{HOME_MATTER}", form)
    admin.post(f"/workspace/catalog/drafts/{draft_id}/publish", {"reason": "沁水县窗口搬迁"})
    public = app.test_client()
    index = public.get("/public/catalog")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    with get_db(app).transaction() as session:
        version = versions.current_version(session)
    assert version in html and "城乡居民养老保险参保登记" in html
    guide = public.get(f"/public/catalog/{HOME_MATTER}").get_data(as_text=True)
    assert "沁水县政务服务中心二楼" in guide and "沁水县" in guide and "打印本指南" in guide
    for page in (html, guide):
        assert (
            "admin" not in page and "赵管理" not in page and "沁水县窗口搬迁" not in page
        )  # who and why: staff only
    assert public.get("/public/catalog?tier=oops").status_code == 400
    assert public.get("/public/catalog/NO-SUCH-1").status_code == 404
    assert "@media print" in public.get("/static/public.css").get_data(as_text=True)
