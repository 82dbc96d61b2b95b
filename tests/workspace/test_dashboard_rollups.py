"""The dashboard's monthly roll-ups equal a fresh count after every kind of write, and the
dashboard's figures over a period with partial months (roll-ups + live edges) equal a live
count of the same period. The migration that adds them fills them from stored rows.

Writes go through the real paths: kiosk ingest over the API (in three months), a kiosk
rating over the API before and after its case arrives, a phone rating (the online
channel's store), a triage reassignment (the department changes), and a deleted case.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import delete, select, text

from sync_server import migrate
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import Database, get_db
from sync_server.models import Evaluation, Submission
from sync_server.workdays import CHINA_TZ
from sync_server.workspace import dashboard, phone_rating, triage
from sync_server.workspace.dashboard_rollups import RatingMonth, VolumeMonth
from sync_server.workspace.models import StaffUser
from tests.server.factories import ORPHAN_MATTER, STATION_CHENGQU, STATION_ZEZHOU, make_catalog, make_manifest

from .conftest import BACKENDS, CHINA, DEPT_A, database_at, submit
from .test_dashboard_notice_clock import T0, _insert_old


def month(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date().replace(day=1)


def fresh(session: Any) -> tuple[Counter[tuple], Counter[tuple]]:
    """Both roll-ups counted from scratch in Python, from the rows as they are now."""
    volumes: Counter[tuple] = Counter()
    cases = session.execute(
        select(Submission.receipt_no, Submission.collected_at, Submission.department_code,
               Submission.matter_code, Submission.station_code, Submission.source)
    ).all()  # fmt: skip
    of_receipt = {}
    for receipt, collected, dept, matter, station, source in cases:
        key = (month(collected), dept or "")
        of_receipt[receipt] = key
        for dim, value in (("matter", matter), ("station", station), ("channel", source)):
            volumes[(*key, dim, value or "")] += 1
    ratings: Counter[tuple] = Counter()
    for receipt, stage, score in session.execute(
        select(Evaluation.receipt_no, Evaluation.at_stage, Evaluation.score)
    ):
        if receipt in of_receipt:
            ratings[(*of_receipt[receipt], stage, score)] += 1
    return volumes, ratings


def kept(session: Any) -> tuple[Counter[tuple], Counter[tuple]]:
    volumes = Counter({
        (r.month, r.department_code, r.dim, r.key): r.cases
        for r in session.scalars(select(VolumeMonth)) if r.cases
    })  # fmt: skip
    ratings = Counter({
        (r.month, r.department_code, r.at_stage, r.score): r.ratings
        for r in session.scalars(select(RatingMonth)) if r.ratings
    })  # fmt: skip
    assert all(n > 0 for n in [*volumes.values(), *ratings.values()])  # never below zero
    return volumes, ratings


def assert_in_step(app) -> tuple[Counter[tuple], Counter[tuple]]:  # type: ignore[no-untyped-def]
    with get_db(app).transaction() as session:
        found = kept(session)
        assert found == fresh(session)
    return found


def rate(client, kiosk, receipt: str, stage: str, score: int) -> None:  # type: ignore[no-untyped-def]
    body = {"evaluation_uuid": str(uuid.uuid4()), "receipt_no": receipt, "station_code": kiosk.station_code,
            "at_stage": stage, "score": score, "created_at": "2026-10-05T10:00:00+08:00"}  # fmt: skip
    assert client.post("/evaluations", kiosk, json=body).status_code == 201


def ingest(client, kiosk, seq: int, at: datetime, **kw: Any) -> str:  # type: ignore[no-untyped-def]
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq, created_at=at, **kw)
    assert submit(client, kiosk, manifest, blobs).status_code == 201
    return manifest.receipt_no


def test_the_rollups_follow_every_kind_of_write(app, client, kiosk, other_kiosk, staff) -> None:  # type: ignore[no-untyped-def]
    early = make_manifest(kiosk.kiosk_id, seq=9, created_at=datetime(2026, 10, 31, 23, 30, tzinfo=CHINA))
    rate(client, kiosk, early[0].receipt_no, "collect", 2)  # the rating arrives before its case
    assert assert_in_step(app)[1] == Counter()  # not counted: no case collected it yet
    assert submit(client, kiosk, *early).status_code == 201  # 10-31 23:30 China is October (UTC: 15:30)
    receipts = [
        ingest(client, kiosk, 1, datetime(2026, 9, 30, 9, tzinfo=CHINA)),
        ingest(client, kiosk, 2, datetime(2026, 10, 1, 0, 30, tzinfo=CHINA)),  # UTC: still September
        ingest(client, kiosk, 3, datetime(2026, 11, 3, 9, tzinfo=CHINA), matter_code=ORPHAN_MATTER),
        ingest(client, other_kiosk, 4, datetime(2026, 11, 4, 9, tzinfo=CHINA), station_code=STATION_CHENGQU),
    ]
    volumes, ratings = assert_in_step(app)
    assert sum(n for key, n in volumes.items() if key[2] == "channel") == 5
    assert ratings == Counter({(date(2026, 10, 1), DEPT_A, "collect", 2): 1})
    for receipt, score, rater in zip(receipts, (5, 1, 3, 4), (kiosk, kiosk, kiosk, other_kiosk), strict=True):
        rate(client, rater, receipt, "collect", score)
    assert_in_step(app)

    with get_db(app).transaction(write=True) as session:
        admin = session.scalars(select(StaffUser).where(StaffUser.username == "admin")).one()
        triaged = session.scalar(select(Submission.id).where(Submission.receipt_no == receipts[2]))
        triage.reassign_from_triage(session, admin, triaged, DEPT_A, "属地部门办理")  # its ratings move too
        case = session.scalars(select(Submission).where(Submission.receipt_no == receipts[0])).one()
        case.state = "completed"
        phone_rating.store_handle_rating(session, case, 1, [], "", datetime.now(UTC), channel="phone",
                                         recorded_by="rev_a")  # fmt: skip
    volumes, ratings = assert_in_step(app)
    assert volumes[(date(2026, 11, 1), DEPT_A, "matter", ORPHAN_MATTER)] == 1

    with get_db(app).transaction(write=True) as session:
        session.execute(delete(Evaluation).where(Evaluation.receipt_no == receipts[1]))
        session.execute(delete(Submission).where(Submission.receipt_no == receipts[3]))
    volumes, ratings = assert_in_step(app)
    assert sum(n for key, n in volumes.items() if key[2] == "channel") == 4


def test_figures_over_partial_months_equal_a_live_count(app, client, kiosk, staff) -> None:  # type: ignore[no-untyped-def]
    """A period from mid-September to mid-November: October from the roll-ups, the edges live;
    the same figures as counting every case of the period live."""
    days = [(9, 10), (9, 20), (10, 1), (10, 31), (11, 10), (11, 20)]
    for seq, (m, d) in enumerate(days, start=1):
        receipt = ingest(client, kiosk, seq, datetime(2026, m, d, 9, tzinfo=CHINA))
        rate(client, kiosk, receipt, "collect", 1 + seq % 5)
    period = dashboard.Period(date(2026, 9, 15), date(2026, 11, 15))
    assert dashboard.split(period) == dashboard.Split(
        (date(2026, 10, 1), date(2026, 11, 1)),
        (
            dashboard.Period(date(2026, 9, 15), date(2026, 9, 30)),
            dashboard.Period(date(2026, 11, 1), date(2026, 11, 15)),
        ),
    )
    with get_db(app).transaction() as session:
        for username in ("admin", "rev_a", "rev_b"):
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
            where = dashboard.cases(user, period)
            live = session.execute(select(Submission.department_code, Submission.source).where(where)).all()
            shown = dashboard.volumes(session, user, period)
            assert sum(n for _, _, n in shown["channel"]) == len(live) == (4 if username != "rev_b" else 0)
            assert {k: n for k, _, n in shown["department"]} == dict(Counter(d for d, _ in live))
            rated = Counter(
                (stage, score) for stage, score in session.execute(
                    select(Evaluation.at_stage, Evaluation.score)
                    .join(Submission, Submission.receipt_no == Evaluation.receipt_no).where(where)
                )
            )  # fmt: skip
            by_score = dashboard.satisfaction(session, user, period)
            assert {(st, s): n for st, row in by_score.items() for s, n in row.items() if n} == dict(rated)


def test_a_period_inside_one_month_is_counted_live() -> None:
    inside = dashboard.Period(date(2026, 10, 2), date(2026, 10, 30))
    assert dashboard.split(inside) == dashboard.Split(None, (inside,))
    whole = dashboard.Period(date(2025, 1, 1), date(2026, 12, 31))
    assert dashboard.split(whole) == dashboard.Split((date(2025, 1, 1), date(2027, 1, 1)), ())


def test_the_triggers_are_there(app) -> None:  # type: ignore[no-untyped-def]
    """A later migration that rebuilds ``submissions`` or ``evaluations`` on SQLite (batch
    mode copies the table) drops their triggers: this names them."""
    with get_db(app).transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        names = set(session.scalars(text(query)))
    assert {n for n in names if n.startswith(("submissions_", "evaluations_"))} >= (
        {"submissions_counted", "submissions_recounted", "evaluations_counted", "evaluations_recounted"}
        if get_db(app).engine.dialect.name == "postgresql"
        else {
            f"{t}_{n}"
            for t in ("submissions", "evaluations")
            for n in ("counted_in", "counted_out", "recounted")
        }
    )


# ---- the migration's fill -----------------------------------------------------------------

ROLLUPS = "d7f2c8a4b1e9"


@pytest.fixture(params=BACKENDS)
def before_rollups(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at the revision before the roll-ups."""
    before = (
        ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_revision(ROLLUPS).down_revision
    )
    with database_at(request.param, tmp_path, str(before)) as url:
        yield url


def test_the_migration_fills_the_rollups_from_stored_rows(before_rollups: str) -> None:
    """Cases (one without a department or station) and ratings stored before the roll-ups
    existed are counted by the migration; later writes are counted by its triggers."""
    old = Database(before_rollups)
    with old.transaction(write=True) as session:
        load_catalog_into(session, make_catalog())  # the ratings' stations
        _insert_old(session)  # six cases on 2026-09-28, no department, no station
        for n, (receipt, stage, score) in enumerate(
            [("OLD-1", "collect", 5), ("OLD-2", "collect", 1), ("OLD-2", "handle", 2), ("NONE", "collect", 3)]
        ):
            session.execute(
                text(
                    "INSERT INTO evaluations (evaluation_uuid, station_code, receipt_no, at_stage, score,"
                    " comment, created_at, received_at, content_digest, channel)"
                    " VALUES (:uuid, :station, :receipt, :stage, :score, '', :at, :at, :digest, 'kiosk')"
                ),
                {"uuid": uuid.UUID(int=100 + n).hex, "station": STATION_ZEZHOU, "receipt": receipt,
                 "stage": stage, "score": score, "at": T0, "digest": "0" * 64},
            )  # fmt: skip
    old.dispose()
    migrate.upgrade(before_rollups)
    db = Database(before_rollups)
    try:
        with db.transaction() as session:
            volumes, ratings = kept(session)
            assert (volumes, ratings) == fresh(session)
        september = date(2026, 9, 1)
        assert volumes == Counter({(september, "", "matter", "M"): 6, (september, "", "station", ""): 6,
                                   (september, "", "channel", "api"): 6})  # fmt: skip
        assert ratings == Counter({(september, "", "collect", 5): 1, (september, "", "collect", 1): 1,
                                   (september, "", "handle", 2): 1})  # fmt: skip
        with db.transaction(write=True) as session:
            session.execute(delete(Submission).where(Submission.receipt_no == "OLD-2"))
        with db.transaction() as session:
            assert kept(session) == fresh(session)
            assert kept(session)[1] == Counter({(september, "", "collect", 5): 1})
    finally:
        db.dispose()


def _case(receipt: str) -> Submission:
    at = datetime(2026, 10, 8, 10, tzinfo=CHINA)
    return Submission(
        client_uuid=uuid.uuid4(), receipt_no=receipt, station_code=STATION_ZEZHOU, matter_code="M",
        catalog_version="1", applicant_kind="person", applicant_name="张三", applicant_phone="13800138000",
        home_division="140521200201", delivery_method="pickup", manifest={}, content_digest="0" * 64,
        source="api", state="routed", department_code=DEPT_A, ack_body="{}", collected_at=at, received_at=at,
        transfer_due=date(2026, 10, 10),
    )  # fmt: skip


def _rating(receipt: str) -> Evaluation:
    at = datetime(2026, 10, 8, 10, tzinfo=CHINA)
    return Evaluation(
        evaluation_uuid=uuid.uuid4(), station_code=STATION_ZEZHOU, receipt_no=receipt, at_stage="collect",
        score=2, comment="", created_at=at, content_digest="0" * 64,
    )  # fmt: skip


def test_a_rating_written_beside_its_case_is_counted(app) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL: a case and its rating written at the same moment by two transactions. The
    rating's trigger waits for the case's transaction (a lock on the receipt number), so
    it sees the case once committed; without the lock neither trigger saw the other's row."""
    db = get_db(app)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the two cannot interleave")
    receipt = "RACE-1"
    with db.transaction(write=True) as first:
        first.add(_case(receipt))
        first.flush()  # the case's trigger ran and holds the receipt's lock
        done = threading.Event()
        errors: list[BaseException] = []

        def rate_now() -> None:
            try:
                with db.transaction(write=True) as second:
                    second.add(_rating(receipt))
            except BaseException as exc:  # reported by the test below
                errors.append(exc)
            finally:
                done.set()

        threading.Thread(target=rate_now, daemon=True).start()
        while not done.is_set():  # the rating's transaction is waiting for ours: let it wait
            waiting = first.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            )
            if waiting:
                break
            done.wait(0.01)
        assert not done.is_set(), "the rating did not wait for the case's transaction"
    assert done.wait(60) and not errors, errors
    with db.transaction() as session:
        assert kept(session) == fresh(session)
        assert kept(session)[1] == Counter({(date(2026, 10, 1), DEPT_A, "collect", 2): 1})
