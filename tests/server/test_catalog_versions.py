"""Catalog versions (issue 14): draft → published, immutable, diffed, logged, served to kiosks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import delete, select

from shared_schema import Catalog
from sync_server import catalog_versions as versions
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import get_db
from sync_server.errors import ApiError
from sync_server.models import CatalogRelease
from sync_server.models import Matter as MatterRow
from sync_server.models.catalog import CatalogDraft

from .conftest import ApiClient, KioskCreds
from .factories import HOME_MATTER, ORPHAN_MATTER, QINSHUI, make_catalog

TODAY = date(2026, 12, 2)
BASE = "2026.01.01"  # the test catalog's version


@pytest.fixture
def catalog_versions(app: Flask) -> Iterator[Flask]:
    """The test catalog current and alone, before and after (PostgreSQL keeps catalog tables
    between tests, and other tests load versions of their own)."""
    _only_the_test_catalog(app)
    yield app
    _only_the_test_catalog(app)


def _only_the_test_catalog(app: Flask) -> None:
    with get_db(app).transaction(write=True) as session:
        session.execute(delete(CatalogDraft))
        session.execute(delete(CatalogRelease).where(CatalogRelease.version != BASE))
        load_catalog_into(session, make_catalog())


def _edit_hours(app: Flask, hours: str, by: str = "admin") -> int:
    with get_db(app).transaction(write=True) as session:
        draft = versions.start_draft(session, by)
        matter = versions.draft_catalog(draft).matter(HOME_MATTER)
        edited = matter.model_copy(update={"guide": matter.guide.model_copy(update={"hours": hours})})
        versions.save_matter(session, draft.id, edited, by)
        return draft.id


def _publish(app: Flask, draft_id: int, reason: str = "调整办理时间", by: str = "admin") -> str:
    with get_db(app).transaction(write=True) as session:
        return versions.publish(session, draft_id, by, reason, TODAY).version


def test_publishing_a_draft_makes_a_new_current_version_and_leaves_the_old_one(
    catalog_versions: Flask, client: ApiClient, kiosk: KioskCreds
) -> None:
    app = catalog_versions
    before = client.get("/catalog?format=4", kiosk)
    with get_db(app).transaction() as session:
        old_body = session.get_one(CatalogRelease, BASE).body
    draft_id = _edit_hours(app, "周一至周日 8:00-20:00")
    assert (
        client.get("/catalog?format=4", kiosk).headers["ETag"] == before.headers["ETag"]
    )  # a draft is not served
    version = _publish(app, draft_id)
    assert version == "2026.12.02"
    after = client.get("/catalog?format=4", kiosk)
    assert after.headers["ETag"] != before.headers["ETag"]
    served = Catalog.parse(after.get_json())
    assert served.version.version == version and served.version.published_on == TODAY
    assert served.matter(HOME_MATTER).guide.hours == "周一至周日 8:00-20:00"
    assert (
        client.get("/catalog?format=4", kiosk, headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 200
    )
    with get_db(app).transaction() as session:
        old = session.get_one(CatalogRelease, BASE)
        new = session.get_one(CatalogRelease, version)
        assert old.body == old_body and not old.is_current  # the published version is untouched
        assert (new.published_by, new.reason, new.based_on, new.is_current) == (
            "admin",
            "调整办理时间",
            BASE,
            True,
        )
        row = session.get_one(MatterRow, HOME_MATTER)
        assert row.catalog_version == version and row.body["guide"]["hours"] == "周一至周日 8:00-20:00"
        draft = session.get_one(CatalogDraft, draft_id)
        assert (draft.state, draft.published_version) == ("published", version)
        found = versions.diff(session, BASE, version)
    assert [c.code for c in found.changed] == [HOME_MATTER]
    assert [f.path for f in found.changed[0].changes] == ["guide.hours"]


def test_a_published_draft_cannot_be_edited_and_a_stale_one_not_published(catalog_versions: Flask) -> None:
    app = catalog_versions
    first, second = _edit_hours(app, "全天开放办理"), _edit_hours(app, "上午开放办理")
    version = _publish(app, first)
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as closed:
        matter = versions.catalog_of(session, version).matter(HOME_MATTER)
        versions.save_matter(session, first, matter, "admin")
    assert closed.value.code == "draft_closed"
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as stale:
        versions.publish(session, second, "admin", "另一处修改", TODAY)
    assert stale.value.code == "draft_stale"
    third = _edit_hours(app, "下午开放办理")
    assert _publish(app, third) == "2026.12.02.2"  # the same day: numbered
    with get_db(app).transaction() as session:
        assert [r.version for r in versions.releases(session)][:3] == ["2026.12.02.2", "2026.12.02", BASE]


def test_publish_needs_a_reason_and_a_change(catalog_versions: Flask) -> None:
    app = catalog_versions
    draft_id = _edit_hours(app, "全天开放办理")
    for reason in (None, "  ", "短"):
        with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as bad:
            versions.publish(session, draft_id, "admin", reason, TODAY)
        assert bad.value.status == 400
    with get_db(app).transaction(write=True) as session:
        unchanged = versions.start_draft(session, "admin").id
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as same:
        versions.publish(session, unchanged, "admin", "没有修改", TODAY)
    assert same.value.code == "nothing_changed"


def test_removing_a_matter_drops_it_from_departments_and_shows_in_the_diff(catalog_versions: Flask) -> None:
    app = catalog_versions
    with get_db(app).transaction(write=True) as session:
        draft = versions.start_draft(session, "admin")
        versions.remove_matter(session, draft.id, HOME_MATTER, "admin")
        found = versions.diff(session, BASE, f"draft-{draft.id}")
        catalog = versions.draft_catalog(draft)
    assert found.removed == [(HOME_MATTER, "城乡居民养老保险参保登记")] and "部门" in found.places_changed
    assert all(HOME_MATTER not in d.matters for d in catalog.departments)
    version = _publish(app, draft.id, "停止市域通办")
    with get_db(app).transaction() as session:
        assert session.get_one(MatterRow, HOME_MATTER).active is False  # submissions still point at it
        assert session.get_one(CatalogRelease, version).is_current


def test_a_county_override_outside_the_catalog_is_refused_in_the_draft(catalog_versions: Flask) -> None:
    app = catalog_versions
    with get_db(app).transaction(write=True) as session:
        draft = versions.start_draft(session, "admin")
        matter = versions.draft_catalog(draft).matter(ORPHAN_MATTER)
        good = matter.model_validate(
            {
                **matter.to_json_dict(),
                "county_overrides": [{"division_code": QINSHUI, "hours": "周二、周四全天"}],
            }
        )
        versions.save_matter(session, draft.id, good, "admin")
        assert (
            versions.draft_catalog(draft).matter(ORPHAN_MATTER).guide_for(QINSHUI).hours == "周二、周四全天"
        )
        bad = matter.model_validate(
            {
                **matter.to_json_dict(),
                "county_overrides": [{"division_code": "140599", "hours": "周二、周四全天"}],
            }
        )
        with pytest.raises(Exception, match="not a county"):
            versions.save_matter(session, draft.id, bad, "admin")


def test_init_db_catalog_is_published_once_and_never_rewritten(catalog_versions: Flask) -> None:
    app = catalog_versions
    with get_db(app).transaction(write=True) as session:
        release, how = versions.load_yaml_release(session, make_catalog())
        assert (release.version, how) == (BASE, "unchanged")
    version = _publish(app, _edit_hours(app, "全天开放办理"))
    with get_db(app).transaction(write=True) as session:
        release, how = versions.load_yaml_release(session, make_catalog())
        assert (release.version, how) == (version, "kept")  # init-db again does not roll back
        data = json.loads(make_catalog().model_dump_json())
        data["matters"][0]["name"] = "改过名字的事项"
        with pytest.raises(ApiError) as immutable:
            versions.load_yaml_release(session, Catalog.parse(data))
        assert immutable.value.code == "version_immutable"
    with get_db(app).transaction() as session:
        assert (
            session.scalars(select(CatalogRelease.version).where(CatalogRelease.is_current)).one() == version
        )
