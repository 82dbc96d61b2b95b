"""Idle kiosks are cheap (issue 16): the heartbeat is one statement and tells the kiosk its
feed position, a "nothing new" feed poll is one look-up, the auth cache hits yet a
revocation on any node takes effect within REVOCATION_CHECK_SECONDS, and the pool holds a
connection per thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, update

from sync_server.auth_cache import bump_generation
from sync_server.db import Database, get_db, pool_options, utcnow
from sync_server.models import Kiosk
from sync_server.serve import worker_config

from .conftest import submit
from .factories import make_manifest

BEAT = {"queue_length": 0, "app_version": "1.0"}
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the app's engines send meanwhile (transaction control aside)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    engines = [db.engine] + ([db._autocommit_engine] if db._autocommit_engine is not None else [])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def test_heartbeat_answers_the_feed_position_in_one_statement(app, client, kiosk):
    app.config["REVOCATION_CHECK_SECONDS"] = 3600  # keep the generation look-up out of the count
    first = client.post("/heartbeat", kiosk, json=BEAT)
    assert first.status_code == 200 and first.get_json()["feed_next"] == 0
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    assert submit(client, kiosk, manifest, blobs).status_code == 201
    feed = client.get("/status-feed?after=0", kiosk).get_json()
    assert feed["next"] > 0
    with counted_statements(get_db(app)) as seen:
        again = client.post("/heartbeat", kiosk, json={**BEAT, "queue_length": 3})
    assert again.get_json()["feed_next"] == feed["next"]
    assert len(seen) == 1, seen  # the upsert returning the position; auth came from the cache
    rows = client.get("/status-feed?after=0", kiosk)  # the heartbeat row was updated, not added
    assert rows.status_code == 200


def test_nothing_new_is_one_look_up_and_something_new_is_served(app, client, kiosk):
    app.config["REVOCATION_CHECK_SECONDS"] = 3600
    assert client.get("/status-feed?after=0", kiosk).get_json() == {"events": [], "next": 0}
    with counted_statements(get_db(app)) as seen:
        idle = client.get("/status-feed?after=0", kiosk).get_json()
    assert idle == {"events": [], "next": 0} and len(seen) == 1, seen
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    submit(client, kiosk, manifest, blobs)
    position = client.post("/heartbeat", kiosk, json=BEAT).get_json()["feed_next"]
    page = client.get("/status-feed?after=0", kiosk).get_json()
    assert page["next"] == position and [e["seq"] for e in page["events"]] == list(range(1, position + 1))
    with counted_statements(get_db(app)) as seen:
        caught_up = client.get(f"/status-feed?after={position}", kiosk).get_json()
    assert caught_up == {"events": [], "next": position} and len(seen) == 1


def test_revocation_by_another_node_ends_the_cached_check_at_the_next_generation_read(app, client, kiosk):
    """Another node revokes: this process's memory is not told, only the database is."""
    app.config.update(AUTH_CACHE_SECONDS=3600, REVOCATION_CHECK_SECONDS=3600)
    assert client.get("/catalog", kiosk).status_code == 200  # verified, cached, generation read
    with get_db(app).transaction(write=True) as session:  # what revoke() does on the other node
        session.execute(update(Kiosk).where(Kiosk.kiosk_id == kiosk.kiosk_id).values(revoked_at=utcnow()))
        bump_generation(session)
    assert client.get("/catalog", kiosk).status_code == 200  # within the bound: still cached
    app.config["REVOCATION_CHECK_SECONDS"] = 0  # the bound has passed
    refused = client.get("/catalog", kiosk)
    assert refused.status_code == 401 and refused.get_json()["error"] == "kiosk_revoked"


def test_every_thread_of_a_worker_has_a_pooled_connection(db_url):
    config = worker_config({"DATABASE_URL": db_url, "DB_POOL_SIZE": 5}, threads=8, timeout=60)
    assert config["DB_POOL_SIZE"] >= 8
    database = Database(db_url, **pool_options(db_url, config["DB_POOL_SIZE"]))
    try:
        if not database.is_sqlite:
            assert database.engine.pool.size() >= 8
            assert database._autocommit_engine.pool.size() >= 8
    finally:
        database.dispose()
