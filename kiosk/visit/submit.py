"""Turn a finished visit into the records the kiosk keeps and prints.

One place builds the manifest (for the outbox), the receipt notice (附录 A) and the
transfer slip (附录 B) from the same visit, so the printed materials table and what the
server receives can never disagree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from shared_schema import (
    Catalog,
    CompletenessResult,
    MaterialRow,
    PageRecord,
    Promise,
    ReceiptNotice,
    SubmissionManifest,
    SubmittedMaterial,
    TransferSlip,
)
from shared_schema.forms import TRANSFER_WORKING_DAYS, promise_statement
from shared_schema.workcalendar import WorkCalendar

from .. import i18n
from ..store.receipt_no import today_in_china
from .checklist import FORM_WORDS, is_needed
from .department import department_name
from .visit import Visit


@dataclass(frozen=True)
class KioskRef:
    kiosk_id: str
    station_code: str


def promise_text(catalog: Catalog, visit: Visit, kiosk: KioskRef) -> str:
    assert visit.matter is not None
    dept = department_name(catalog, visit.matter, visit.applicant.home_division, kiosk.station_code)
    return promise_statement(visit.applicant.kind, dept, visit.matter.name)


def applicant_body(visit: Visit) -> dict[str, object]:
    """Unvalidated: the manifest's parse reports every bad field at once, as SchemaError."""
    a = visit.applicant
    return {
        "kind": a.kind,
        "name": a.name,
        "id_number": a.id_number or None,
        "uscc": a.uscc or None,
        "legal_representative": a.legal_representative or None,
        "phone": a.phone,
        "address": a.address or None,
        "home_division": a.home_division,
    }


def submitted_materials(visit: Visit) -> list[SubmittedMaterial]:
    assert visit.matter is not None
    out = []
    for req in visit.matter.guide.materials:
        pages = visit.pages.get(req.code, [])
        if not pages:
            continue
        out.append(
            SubmittedMaterial(
                requirement_code=req.code,
                name=req.name,
                count=req.copies,
                pages=[
                    PageRecord(
                        sha256=p.sha256,
                        size=p.path.stat().st_size,
                        content_type=p.content_type,
                        width=p.width,
                        height=p.height,
                        ocr_text=p.ocr_text[:20_000],
                        ocr_confidence=p.ocr_confidence,
                        fields=p.fields,
                    )
                    for p in pages
                ],
            )
        )
    return out


def material_rows(visit: Visit) -> list[MaterialRow]:
    """附录 A/B table rows: every needed material, with its count and page count."""
    assert visit.matter is not None
    rows = []
    for req in visit.matter.guide.materials:
        if not is_needed(req, visit.answers):
            continue
        pages = visit.page_count(req.code)
        rows.append(
            MaterialRow(
                index=len(rows) + 1,
                name=req.name,
                count=req.copies if pages else 0,
                pages=pages,
                note=FORM_WORDS[req.form] + ("" if pages else "，未提交"),
            )
        )
    return rows


def build_manifest(
    catalog: Catalog, visit: Visit, kiosk: KioskRef, receipt_no: str, now: datetime
) -> SubmissionManifest:
    """Raises SchemaError when something the resident entered is invalid."""
    assert visit.matter is not None and visit.promise_confirmed_at is not None
    completeness = visit.completeness or CompletenessResult(complete=True)
    delivery = {"method": visit.delivery, "phone": visit.applicant.phone}
    if visit.mail_address:
        delivery["address"] = visit.mail_address
        delivery["recipient"] = visit.applicant.name
    body = {
        "client_uuid": visit.client_uuid or str(uuid.uuid4()),
        "receipt_no": receipt_no,
        "kiosk_id": kiosk.kiosk_id,
        "station_code": kiosk.station_code,
        "created_at": now,
        "matter_code": visit.matter.code,
        "catalog_version": catalog.version.version,
        "applicant": applicant_body(visit),
        "materials": submitted_materials(visit),
        "answers": dict(visit.answers),
        "completeness": completeness,
        "delivery": delivery,
        "promise": Promise(
            text=promise_text(catalog, visit, kiosk),
            confirmed=True,
            confirmed_at=visit.promise_confirmed_at,
        ),
        "incomplete_accepted": visit.incomplete_accepted,
    }
    return SubmissionManifest.parse(body, source="kiosk visit", context=visit.matter.code)


def unit_name(catalog: Catalog, station_code: str) -> str:
    """The receiving unit printed on forms: the station and its window (named once)."""
    try:
        station = catalog.station(station_code)
    except KeyError:
        return station_code
    if not station.window_name or station.name.endswith(station.window_name):
        return station.name
    return f"{station.name}（{station.window_name}）"


def receipt_notice(
    catalog: Catalog, visit: Visit, kiosk: KioskRef, receipt_no: str, issued_on: date | None = None
) -> ReceiptNotice:
    assert visit.matter is not None
    issued_on = issued_on or today_in_china()  # the same day as the receipt number's
    # The holiday tables came with the catalog: the same count the server makes.
    transfer_by = WorkCalendar(catalog.holidays).add_working_days(issued_on, TRANSFER_WORKING_DAYS)
    return ReceiptNotice(
        receipt_no=receipt_no,
        applicant_name=visit.applicant.name,
        matter_name=visit.matter.name,
        department_name=department_name(
            catalog, visit.matter, visit.applicant.home_division, kiosk.station_code
        ),
        materials=material_rows(visit),
        contact_phone=visit.applicant.phone,
        address=visit.mail_address or visit.applicant.address,
        unit=unit_name(catalog, kiosk.station_code),
        issued_on=issued_on,
        transfer_by=transfer_by,
    )


def transfer_statement(notice: ReceiptNotice) -> str:
    """The transfer promise as the receipt screen shows it. In Chinese it is the printed
    notice's own sentence (``ReceiptNotice.statement``), so screen and paper never word
    the promise differently; the English screen translates that sentence."""
    if i18n.language != "en":
        return notice.statement()
    text = (
        f"You applied for {notice.matter_name}, which is for {notice.department_name} to decide: "
        f"we will pass your materials on to {notice.department_name} within {notice.transfer_days} days."
    )
    day = notice.transfer_by
    return text if day is None else f"{text} The last day is {day:%d %B %Y} (counting working days)."


def transfer_slip(catalog: Catalog, visit: Visit, kiosk: KioskRef, receipt_no: str) -> TransferSlip:
    notice = receipt_notice(catalog, visit, kiosk, receipt_no)
    return TransferSlip(
        receipt_no=receipt_no,
        matter_name=notice.matter_name,
        department_name=notice.department_name,
        materials=notice.materials,
        promise_text=promise_text(catalog, visit, kiosk),
        applicant_signature=f"{visit.applicant.name}（自助终端确认）",
        legal_representative=visit.applicant.legal_representative,
        contact_phone=visit.applicant.phone,
        address=notice.address,
        receiving_unit=notice.unit,
        received_on=notice.issued_on,
    )
