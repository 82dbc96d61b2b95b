"""Fixtures: app → client → kiosk, on SQLite always and on PostgreSQL when TONGBAN_TEST_PG is set.

Each backend's schema is migrated once per session (SQLite: a template file copied per
test; PostgreSQL: a fresh ``tongban_t_<random>`` database, truncated between tests and
dropped at the end). Every answer the API client sees is validated against the OpenAPI
document, and every 2xx answer to a kiosk must carry a valid signature.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
import pytest
from flask import Flask
from sqlalchemy import Engine, inspect

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, auth_header, verify
from sync_server import migrate
from sync_server.api.openapi import openapi_document
from sync_server.app import create_app
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import Base, Database, get_db, make_engine
from sync_server.enrollment import create_code, enroll

from .factories import STATION_CHENGQU, STATION_ZEZHOU, make_catalog

PG_URL = os.environ.get("TONGBAN_TEST_PG")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def _admin_conninfo() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the whole session, migrated to head, then dropped."""
    name = f"tongban_t_{secrets.token_hex(4)}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    _prepare(url)
    yield url
    if url in _PG_EMPTIERS:
        _PG_EMPTIERS.pop(url)[0].dispose()
    with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{path}")
    return path


def _prepare(url: str) -> None:
    """Migrate to head and load the test catalog (kept between tests: see restore_catalog)."""
    migrate.upgrade(url)
    database = Database(url)
    with database.transaction(write=True) as session:
        load_catalog_into(session, make_catalog())
    database.dispose()


CATALOG_TABLES = {
    "catalog_releases",
    "divisions",
    "departments",
    "stations",
    "matters",
    "department_matters",
    "entrustments",
    "alembic_version",
}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "server.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_database")
    engine, emptying = _pg_emptier(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(emptying)
    return url


_PG_EMPTIERS: dict[str, tuple[Engine, str]] = {}


def _pg_emptier(url: str) -> tuple[Engine, str]:
    """The session's engine on ``url`` and one statement list emptying every non-catalog table.

    Built once per session database: a new engine (a PostgreSQL backend forked per test),
    the table inspection and ~50 round trips cost ~1 s per test on a loaded CI machine,
    one batch on a kept connection ~0.1 s. DELETE beats TRUNCATE on tables this small.
    """
    if url not in _PG_EMPTIERS:
        engine = make_engine(url)
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
        names = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in present - CATALOG_TABLES]
        _PG_EMPTIERS[url] = (engine, "; ".join(f'DELETE FROM "{name}"' for name in names))
    return _PG_EMPTIERS[url]


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"HOME": str(tmp_path), "DATABASE_URL": db_url, "TESTING": True})
    yield app
    get_db(app).dispose()


@pytest.fixture
def restore_catalog(app: Flask) -> Iterator[None]:
    """For tests that change the catalog: put the test catalog back afterwards."""
    yield
    with get_db(app).transaction(write=True) as session:
        load_catalog_into(session, make_catalog())


@dataclass
class KioskCreds:
    kiosk_id: str
    station_code: str
    secret: str
    bundle_key: str

    @property
    def headers(self) -> dict[str, str]:
        return auth_header(self.kiosk_id, self.secret)


@functools.cache
def _openapi() -> dict[str, Any]:
    """The OpenAPI document, built once per session: it is the same for every app, and
    copying it per test cost ~0.1 s of a loaded CI core each time. Read-only in tests."""
    return openapi_document()


@functools.cache
def _path_templates() -> list[tuple[re.Pattern[str], str]]:
    paths = _openapi()["paths"]
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path) for path in paths]


@functools.cache
def _validator(template: str, method: str, status: str) -> jsonschema.Draft202012Validator | None:
    """The compiled validator of one documented answer (None: not JSON), built once."""
    responses = _openapi()["paths"][template][method]["responses"]
    spec = responses.get(status) or responses["default"]
    content = spec.get("content", {}).get("application/json")
    if content is None:
        return None
    return jsonschema.Draft202012Validator({**content["schema"], "components": _openapi()["components"]})


class ApiClient:
    """Flask's test client, checking every answer against the OpenAPI document."""

    def __init__(self, app: Flask) -> None:
        self.flask = app.test_client()
        self.doc = _openapi()
        self._templates = _path_templates()

    def call(self, method: str, path: str, kiosk: KioskCreds | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if kiosk is not None:
            headers.update(kiosk.headers)
        response = self.flask.open(API_PREFIX + path, method=method.upper(), headers=headers, **kwargs)
        self.check(method.lower(), path.split("?")[0], response, kiosk)
        return response

    def check(self, method: str, path: str, response: Any, kiosk: KioskCreds | None) -> None:
        template = next(
            (t for rx, t in self._templates if rx.match(path) and method in self.doc["paths"][t]),
            None,
        )
        if template is None:
            return
        validator = _validator(template, method, str(response.status_code))
        if validator is not None:
            validator.validate(response.get_json())
        if kiosk is not None and (200 <= response.status_code < 300 or response.status_code == 304):
            assert verify(kiosk.secret, response.get_data(), response.headers.get(SIGNATURE_HEADER))

    def get(self, path: str, kiosk: KioskCreds | None = None, **kw: Any) -> Any:
        return self.call("get", path, kiosk, **kw)

    def post(self, path: str, kiosk: KioskCreds | None = None, **kw: Any) -> Any:
        return self.call("post", path, kiosk, **kw)

    def put(self, path: str, kiosk: KioskCreds | None = None, **kw: Any) -> Any:
        return self.call("put", path, kiosk, **kw)


@pytest.fixture
def client(app: Flask) -> ApiClient:
    return ApiClient(app)


def enroll_kiosk(app: Flask, station: str = STATION_ZEZHOU) -> KioskCreds:
    from datetime import timedelta

    with get_db(app).transaction(write=True) as session:
        code = create_code(session, station, timedelta(hours=1))
    with get_db(app).transaction(write=True) as session:
        answer = enroll(session, code, "test kiosk", "virtual")
    return KioskCreds(answer.kiosk_id, answer.station_code, answer.secret, answer.bundle_key)


@pytest.fixture
def kiosk(app: Flask) -> KioskCreds:
    return enroll_kiosk(app, STATION_ZEZHOU)


@pytest.fixture
def other_kiosk(app: Flask) -> KioskCreds:
    return enroll_kiosk(app, STATION_CHENGQU)


def upload(client: ApiClient, kiosk: KioskCreds, blobs: dict[str, bytes]) -> None:
    for sha, data in blobs.items():
        response = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/png")
        assert response.status_code in (200, 201), response.get_json()


def submit(client: ApiClient, kiosk: KioskCreds, manifest: Any, blobs: dict[str, bytes] | None = None) -> Any:
    if blobs:
        upload(client, kiosk, blobs)
    return client.post("/submissions", kiosk, json=manifest.model_dump(mode="json"))
