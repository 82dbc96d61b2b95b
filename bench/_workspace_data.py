"""Bulk data for the workspace benchmark: 100,000 submissions in PostgreSQL, built once.

Rows go in with COPY (submissions, pages, events, routing decisions, ID digests); the
database ``tongban_bench_workspace`` is kept and reused while its row count matches.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import select

from shared_schema import load_catalog
from shared_schema.forms import promise_statement
from sync_server import migrate
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import Database
from sync_server.id_lookup import KEY_SETTING, digest
from sync_server.models import Department, DepartmentMatter, Matter, ServerSetting, Station
from sync_server.workdays import add_working_days, local_date
from sync_server.workspace.accounts import create_user
from tests.server.factories import id_number

DB_NAME = "tongban_bench_workspace"
DATA_VERSION = "3"  # 2: ratings, offline bundles, a city supervisor (the dashboard); 3: its indexes
# (the notice clock's columns came later with a migration that fills them: a kept version-3
# set is upgraded in place, a new one is written with them)
CITY_USER = "bench_city"
DEPARTMENT = "140502-RS"  # the benchmark reviewer's department (gets a quarter of the rows)
PASSWORD = "bench password 1"
PAGE = "ab" * 32
STATES = (
    ["archived"] * 60
    + ["routed"] * 10
    + ["accepted"] * 12
    + ["correction_requested"] * 3
    + ["special_stage"] * 2
    + ["completed"] * 8
    + ["rejected"] * 5
)
SCORES = [5] * 70 + [4] * 18 + [3] * 7 + [2] * 3 + [1] * 2


SUBMISSION_COLUMNS = [
    "id",
    "client_uuid",
    "receipt_no",
    "station_code",
    "matter_code",
    "catalog_version",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "home_division",
    "delivery_method",
    "manifest",
    "content_digest",
    "source",
    "state",
    "department_code",
    "ack_body",
    "collected_at",
    "received_at",
    "transfer_due",
    "transferred_at",
    "accepted_at",
    "promised_due",
    "legal_due",
    "completed_at",
    "delivered_at",
    "archived_at",
    "updated_at",
    "notice_from",
    "notice_answered_at",
]


def conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def ensure_database(base_url: str, rows: int) -> str:
    """The benchmark database URL, created and filled when missing or of another size."""
    admin = conninfo(base_url)
    url = base_url.rsplit("/", 1)[0] + "/" + DB_NAME
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
    if exists:
        try:
            with psycopg.connect(conninfo(url)) as conn:
                marker = conn.execute("SELECT value FROM server_settings WHERE key = 'bench_rows'").fetchone()
            if marker and marker[0] == f"{rows}:{DATA_VERSION}":
                if not migrate.is_current(Database(url).engine):
                    _upgrade_kept(url)  # a newer migration (an index): the same rows, upgraded
                return url
        except psycopg.Error:
            pass
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    migrate.upgrade(url)
    _fill(url, rows)
    return url


def _upgrade_kept(url: str) -> None:
    """Migrate the kept data set in place (rebuilding it takes minutes) and refresh statistics."""
    migrate.upgrade(url)
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE submissions")


def _fill(url: str, rows: int) -> None:
    db = Database(url)
    with db.transaction(write=True) as session:
        load_catalog_into(session, load_catalog())
        create_user(session, "bench", "reviewer", PASSWORD, department_code=DEPARTMENT, full_name="基准审核")
        create_user(session, CITY_USER, "city_supervisor", PASSWORD, full_name="基准督办")
        key_hex = secrets.token_hex(32)
        session.add(ServerSetting(key=KEY_SETTING, value=key_hex))
        handlers: dict[str, list[str]] = {}
        for matter, dept in session.execute(
            select(DepartmentMatter.matter_code, DepartmentMatter.department_code)
            .join(Department, Department.code == DepartmentMatter.department_code)
            .where(~Department.is_triage)
        ):
            handlers.setdefault(matter, []).append(dept)
        matters = {m.code: (m.name, m.promised_days) for m in session.scalars(select(Matter))}
        stations = list(session.scalars(select(Station.code)))
    db.dispose()
    ours = [m for m, depts in handlers.items() if DEPARTMENT in depts]
    rng = random.Random(20260101)
    now = datetime.now(UTC)
    key = bytes.fromhex(key_hex)
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO blobs (sha256, size, content_type, created_at) VALUES (%s, 1000, 'image/jpeg', %s)",
            (PAGE, now),
        )
        copy_subs = cur.copy(f"COPY submissions ({', '.join(SUBMISSION_COLUMNS)}) FROM STDIN")
        extra: list[tuple] = []
        with copy_subs as subs:
            for i in range(1, rows + 1):
                mine = rng.random() < 0.25
                matter = rng.choice(ours) if mine else rng.choice(list(handlers))
                dept = (
                    DEPARTMENT
                    if mine
                    else rng.choice([d for d in handlers[matter] if d != DEPARTMENT] or [DEPARTMENT])
                )
                state, station = rng.choice(STATES), rng.choice(stations)
                collected = now - timedelta(minutes=rng.randint(10, 730 * 24 * 60))
                number = id_number(dept[:6] if dept[:6].isdigit() else "140502", serial=i % 1000)
                name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(
                    ["秀英", "建国", "丽", "伟", "芳", "强"]
                )
                manifest = _manifest(i, station, matter, name, number, collected)
                accepted = (
                    collected + timedelta(hours=30)
                    if state not in {"routed", "correction_requested"}
                    else None
                )
                promised = add_working_days(local_date(accepted), matters[matter][1]) if accepted else None
                done = (
                    accepted + timedelta(days=3) if accepted and state in {"completed", "archived"} else None
                )
                subs.write_row(
                    (
                        i,
                        manifest["client_uuid"],
                        manifest["receipt_no"],
                        station,
                        matter,
                        "2024.06.01",
                        "person",
                        name,
                        number,
                        "13800138000",
                        dept[:6] + "001001",
                        "pickup",
                        json.dumps(manifest, ensure_ascii=False),
                        hashlib.sha256(str(i).encode()).hexdigest(),
                        "bundle" if i % 20 == 0 else "api",
                        state,
                        dept,
                        "{}",
                        collected,
                        collected + timedelta(minutes=5),
                        add_working_days(local_date(collected), 2),
                        collected + timedelta(minutes=5),
                        accepted,
                        promised,
                        promised,
                        done,
                        done if state == "archived" else None,
                        done if state == "archived" else None,
                        now,
                        collected + timedelta(minutes=5),  # the notice clock: from the transfer
                        accepted,  # to the only answer written below
                    )
                )
                extra.append((i, digest(key, number), collected, dept, state, accepted, station, done))
        with cur.copy("COPY submission_lookups (submission_id, id_digest) FROM STDIN") as copy:
            for i, dig, *_ in extra:
                copy.write_row((i, dig))
        with cur.copy(
            "COPY submission_pages (submission_id, position, material_index, page_index,"
            " requirement_code, sha256) FROM STDIN"
        ) as copy:
            for i, *_ in extra:
                copy.write_row((i, 0, 0, 0, "id_card", PAGE))
                copy.write_row((i, 1, 1, 0, "form", PAGE))
        with cur.copy(
            "COPY routing_decisions (submission_id, department_code, rule, reason_en, reason_zh,"
            " decided_at, decided_by) FROM STDIN"
        ) as copy:
            for i, _, collected, dept, *_ in extra:
                copy.write_row(
                    (i, dept, "home_department", "home acceptance", "属地受理", collected, "engine")
                )
        with cur.copy(
            "COPY submission_events (submission_id, state, at, message_zh, detail, actor) FROM STDIN"
        ) as copy:
            for i, _, collected, dept, _state, accepted, *_ in extra:
                copy.write_row((i, "acknowledged", collected, "申请材料已送达服务器", "{}", "ingest"))
                copy.write_row(
                    (
                        i,
                        "routed",
                        collected,
                        "申请已转至办理部门",
                        json.dumps({"department_code": dept}),
                        "engine",
                    )
                )
                if accepted:
                    copy.write_row((i, "accepted", accepted, "申请已受理", '{"action": "accept"}', "bench"))
        with cur.copy(
            "COPY evaluations (evaluation_uuid, station_code, receipt_no, at_stage, department_code, score,"
            " comment, reasons, created_at, received_at, content_digest) FROM STDIN"
        ) as copy:  # a collection rating for 60% of the cases, a handling rating for delivered ones
            for i, _, collected, dept, state, _accepted, station, done in extra:
                receipt = f"{station}-B{i % 97:02d}-{collected:%Y%m%d}-{i:06d}"
                rated = [("collect", collected, 1)] if rng.random() < 0.6 else []
                if state == "archived" and done is not None:
                    rated.append(("handle", done, 2))
                for stage, at, n in rated:
                    copy.write_row((uuid.UUID(int=(n << 64) + i), station, receipt, stage, dept,
                                    rng.choice(SCORES), "", "[]", at, at, "0" * 64))  # fmt: skip
        tables = ("submissions", "submission_pages", "routing_decisions", "submission_events", "evaluations")
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute(
            "INSERT INTO server_settings (key, value) VALUES ('bench_rows', %s)", (f"{rows}:{DATA_VERSION}",)
        )
        conn.commit()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _manifest(i: int, station: str, matter: str, name: str, number: str, at: datetime) -> dict:
    page = {
        "sha256": PAGE,
        "size": 1000,
        "content_type": "image/jpeg",
        "width": 1240,
        "height": 1754,
        "ocr_text": f"{name} 居民身份证 {number[:6]}……",
        "fields": {"name": name, "id_number": number},
    }
    return {
        "client_uuid": str(uuid.UUID(int=i)),
        "receipt_no": f"{station}-B{i % 97:02d}-{at:%Y%m%d}-{i:06d}",
        "kiosk_id": f"B{i % 97:02d}",
        "station_code": station,
        "created_at": at.isoformat(),
        "matter_code": matter,
        "catalog_version": "2024.06.01",
        "applicant": {
            "kind": "person",
            "name": name,
            "id_number": number,
            "phone": "13800138000",
            "home_division": "140502001001",
        },
        "materials": [
            {"requirement_code": "id_card", "name": "居民身份证", "pages": [page]},
            {"requirement_code": "form", "name": "申请表", "pages": [page]},
        ],
        "completeness": {"complete": True, "issues": []},
        "delivery": {"method": "pickup"},
        "promise": {
            "text": promise_statement("person", "人社局", "参保登记"),
            "confirmed": True,
            "confirmed_at": at.isoformat(),
        },
    }
