"""Configuration precedence: defaults under the home, TOML file, environment, explicit."""

from __future__ import annotations

import pytest

from sync_server.app import create_app
from sync_server.config import load_config
from sync_server.db import get_db, normalize_url


def test_defaults_live_under_the_home(tmp_path, monkeypatch):
    monkeypatch.delenv("TONGBAN_SERVER_DB", raising=False)
    monkeypatch.delenv("TONGBAN_SERVER_CONFIG", raising=False)
    config = load_config({"HOME": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'server.db'}"
    assert config["BLOB_DIR"] == str(tmp_path / "blobs")


def test_file_then_environment_then_explicit(tmp_path, monkeypatch):
    monkeypatch.delenv("TONGBAN_SERVER_DB", raising=False)
    (tmp_path / "server.toml").write_text('max_blob_bytes = 1000\ndatabase_url = "sqlite:///from-file.db"\n')
    config = load_config({"HOME": str(tmp_path)})
    assert config["MAX_BLOB_BYTES"] == 1000 and config["DATABASE_URL"] == "sqlite:///from-file.db"
    monkeypatch.setenv("TONGBAN_SERVER_DB", "postgresql://u@h/db")
    assert load_config({"HOME": str(tmp_path)})["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    other = tmp_path / "other.toml"
    other.write_text("feed_page_limit = 7\n")
    monkeypatch.setenv("TONGBAN_SERVER_CONFIG", str(other))
    config = load_config({"HOME": str(tmp_path), "DATABASE_URL": "sqlite:///explicit.db"})
    assert config["FEED_PAGE_LIMIT"] == 7 and config["DATABASE_URL"] == "sqlite:///explicit.db"


def test_postgres_urls_use_psycopg():
    assert normalize_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalize_url("postgresql+psycopg://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_supplement_grant_lifetime_is_checked_at_start(tmp_path):
    """SUPPLEMENT_GRANT_SECONDS: 72 h unless set; a value that is no whole number of seconds
    within 10 minutes .. 30 days stops the server at start, naming the key."""
    app = create_app({"HOME": str(tmp_path)})
    get_db(app).dispose()
    assert app.config["SUPPLEMENT_GRANT_SECONDS"] == 72 * 3600
    for bad in (0, -3600, 599, 30 * 86400 + 1, "72h", 3600.5, True):
        with pytest.raises(ValueError, match="SUPPLEMENT_GRANT_SECONDS"):
            create_app({"HOME": str(tmp_path), "SUPPLEMENT_GRANT_SECONDS": bad})
