"""Routing: home acceptance, entrusted approval (and its fallback), city level, triage."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared_schema import Catalog
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import get_db
from sync_server.models import Department, RoutingDecision, Submission
from sync_server.routing import catalog_snapshot, decide, reassign
from sync_server.routing.directory import DbDirectory

from .conftest import submit
from .factories import (
    CHENGQU,
    CITY_MATTER,
    ENTRUSTED_MATTER,
    HOME_MATTER,
    ORPHAN_MATTER,
    QINSHUI,
    STATION_CHENGQU,
    TRIAGE,
    ZEZHOU,
    catalog_data,
    make_manifest,
)

VILLAGE_QINSHUI = QINSHUI + "200201"
VILLAGE_ZEZHOU = ZEZHOU + "100200"
CASES = [
    # matter, applicant's home, kiosk county, department, rule
    (HOME_MATTER, VILLAGE_QINSHUI, ZEZHOU, "SB-140521", "home_department"),
    (HOME_MATTER, VILLAGE_ZEZHOU, CHENGQU, "SB-140525", "home_department"),
    (ENTRUSTED_MATTER, VILLAGE_QINSHUI, ZEZHOU, "MZ-140525", "entrusted_department"),
    (ENTRUSTED_MATTER, VILLAGE_QINSHUI, CHENGQU, "MZ-140521", "entrustment_fallback"),
    (ENTRUSTED_MATTER, VILLAGE_ZEZHOU, CHENGQU, "MZ-140525", "entrustment_fallback"),
    (CITY_MATTER, VILLAGE_QINSHUI, ZEZHOU, "SJ-140500", "city_department"),
    (ORPHAN_MATTER, VILLAGE_QINSHUI, ZEZHOU, TRIAGE, "no_home_department"),
    ("140500-ZZ-404", VILLAGE_QINSHUI, ZEZHOU, TRIAGE, "unknown_matter"),
    (HOME_MATTER, "110101001001", ZEZHOU, TRIAGE, "no_home_department"),  # applicant from Beijing
]


@pytest.mark.parametrize(("matter", "home", "kiosk_county", "department", "rule"), CASES)
def test_decide(app, matter, home, kiosk_county, department, rule):
    with get_db(app).transaction() as session:
        decision = decide(DbDirectory(session), matter, home, kiosk_county + "100")
        cached = decide(catalog_snapshot(session), matter, home, kiosk_county + "100")
    assert cached == decision  # the in-memory catalog answers exactly as the tables do
    assert (decision.department_code, decision.rule) == (department, rule)
    assert decision.reason_en and decision.reason_zh
    assert decision.triage == (department == TRIAGE)


def test_fallback_says_why(app):
    with get_db(app).transaction() as session:
        decision = decide(DbDirectory(session), ENTRUSTED_MATTER, VILLAGE_QINSHUI, CHENGQU + "001")
    assert "falling back to home acceptance" in decision.reason_en
    assert "改为属地受理" in decision.reason_zh and "沁水县民政局" in decision.reason_zh


def test_no_triage_department_keeps_it_waiting(app, restore_catalog):
    with get_db(app).transaction(write=True) as session:
        session.get(Department, TRIAGE).active = False
        decision = decide(DbDirectory(session), "140500-ZZ-404", VILLAGE_QINSHUI, ZEZHOU)
    assert decision.department_code is None and decision.rule == "triage_unconfigured" and decision.triage


def test_snapshot_follows_a_catalog_reload(app, client, kiosk, restore_catalog):
    first, blobs = make_manifest(kiosk.kiosk_id, seq=1)
    assert submit(client, kiosk, first, blobs).get_json()["department_code"] == "SB-140521"
    data = catalog_data("2026.02.01")
    for dept in data["departments"]:
        if dept["code"] == "SB-140521":
            dept["matters"] = []  # 沁水县人社局 no longer handles the matter
    with get_db(app).transaction(write=True) as session:
        load_catalog_into(session, Catalog.parse(data))
    second, blobs = make_manifest(kiosk.kiosk_id, seq=2)
    ack = submit(client, kiosk, second, blobs).get_json()
    assert ack["department_code"] == TRIAGE


def test_ingest_records_decision_and_deadline(app, client, other_kiosk):
    manifest, blobs = make_manifest(other_kiosk.kiosk_id, STATION_CHENGQU, matter_code=ENTRUSTED_MATTER)
    assert submit(client, other_kiosk, manifest, blobs).get_json()["department_code"] == "MZ-140521"
    with get_db(app).transaction() as session:
        row = session.scalars(select(Submission)).one()
        (decision,) = row.decisions
        assert decision.rule == "entrustment_fallback" and decision.decided_by == "engine"
        assert row.transferred_at is not None and str(row.transfer_due) == "2026-01-07"
        assert [e.state for e in row.events] == ["acknowledged", "routed"]


def test_triage_then_reassign(app, client, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id, matter_code=ORPHAN_MATTER)
    ack = submit(client, kiosk, manifest, blobs).get_json()
    assert ack["department_code"] == TRIAGE and ack["state"] == "routed"
    with get_db(app).transaction(write=True) as session:
        row = session.scalars(select(Submission)).one()
        assert row.transferred_at is None  # triage is not the deciding department
        reassign(session, row, "SB-140521", "matter handled by social security", "由人社局办理", by="admin")
    with get_db(app).transaction() as session:
        row = session.scalars(select(Submission)).one()
        assert row.department_code == "SB-140521" and row.transferred_at is not None
        rules = session.scalars(select(RoutingDecision.rule).order_by(RoutingDecision.id)).all()
        assert rules == ["no_home_department", "reassigned"]
