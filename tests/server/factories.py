"""Builders for server tests, reusable by the kiosk-side and workspace tests.

- :func:`make_catalog` — a small 晋城市 catalog exercising every routing rule;
- :func:`write_catalog` — the same as a catalog folder (for ``init-db --catalog``);
- :func:`make_manifest` — a valid :class:`SubmissionManifest` and its page bytes;
- :func:`png_page`, :func:`id_number` — distinct small PNGs and valid ID numbers;
- :func:`make_bundle` — a sealed sneakernet bundle tar (:func:`write_tar` writes any tar).
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from PIL import Image
from stdnum.cn import ric

from shared_schema import Catalog, SubmissionManifest
from shared_schema.bundle_seal import HEADER, SEALED_MANIFEST, BundleSeal, new_header
from shared_schema.forms import promise_statement
from shared_schema.protocol import sha256_hex

CHINA = timezone(timedelta(hours=8))
CITY = "140500"
CHENGQU, QINSHUI, ZEZHOU = "140502", "140521", "140525"
HOME_MATTER = "140500-SB-001"  # home acceptance
ENTRUSTED_MATTER = "140500-MZ-001"  # entrusted approval: ZEZHOU decides for QINSHUI
CITY_MATTER = "140500-SJ-001"  # city level
ORPHAN_MATTER = "140500-XX-001"  # nobody handles it: triage
TRIAGE = "JC-TRIAGE"
STATION_ZEZHOU = "ST01"  # station in 泽州县
STATION_CHENGQU = "ST02"  # station in 城区


def _guide(name: str) -> dict[str, Any]:
    return {
        "applicant_scope": "自然人",
        "basis": ["《测试条例》"],
        "implementing_body": "测试部门",
        "conditions": ["符合条件"],
        "materials": [
            {
                "code": "id_card",
                "name": "居民身份证",
                "source": "申请人自备",
                "hints": {"kind": "id_card_front"},
            },
            {"code": "form", "name": f"{name}申请表", "source": "窗口领取", "max_pages": 3},
        ],
        "process": [{"name": "受理", "description": "窗口受理"}],
        "result_name": f"{name}结果",
        "delivery_note": "邮寄或窗口领取",
        "consultation_phone": "0356-1234567",
        "complaint_phone": "12345",
        "location": "各便民服务中心",
        "hours": "工作日 9:00-17:00",
        "progress_query": "凭受理编号查询",
    }


def _matter(code: str, name: str, mode: str, entrustments: list[dict] | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "domain": "测试",
        "frequency": "high",
        "handling_mode": mode,
        "case_type": "promised",
        "legal_days": 20,
        "promised_days": 10,
        "result_kinds": ["paper"],
        "delivery_options": ["mail", "pickup"],
        "entrustments": entrustments or [],
        "guide": _guide(name),
    }


def _dept(code: str, name: str, division: str, matters: list[str], triage: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "division_code": division,
        "domain": "测试",
        "matters": matters,
        "is_triage": triage,
    }


def catalog_data(version: str = "2026.01.01") -> dict[str, Any]:
    """The catalog as plain data (edit it to build variants)."""
    counties = {CHENGQU: "城区", QINSHUI: "沁水县", ZEZHOU: "泽州县"}
    divisions = [
        {"code": "14", "name": "山西省", "level": "province"},
        {"code": CITY, "name": "晋城市", "level": "city", "parent_code": "14"},
    ]
    divisions += [{"code": c, "name": n, "level": "county", "parent_code": CITY} for c, n in counties.items()]
    divisions += [
        {"code": ZEZHOU + "100", "name": "南村镇", "level": "township", "parent_code": ZEZHOU},
        {"code": CHENGQU + "001", "name": "东街街道", "level": "township", "parent_code": CHENGQU},
    ]
    departments = [_dept(f"SB-{c}", f"{n}人社局", c, [HOME_MATTER]) for c, n in counties.items()]
    departments += [_dept(f"MZ-{c}", f"{n}民政局", c, [ENTRUSTED_MATTER]) for c, n in counties.items()]
    departments += [
        _dept("SJ-140500", "晋城市市场监管局", CITY, [CITY_MATTER]),
        _dept(TRIAGE, "晋城市政务服务中心分拣组", CITY, [], triage=True),
    ]
    entrust = [{"department": f"MZ-{ZEZHOU}", "on_behalf_of": [f"MZ-{QINSHUI}"]}]
    return {
        "version": {
            "version": version,
            "published_on": "2026-01-01",
            "city_code": CITY,
            "city_name": "晋城市",
        },
        "divisions": divisions,
        "departments": departments,
        "stations": [
            {
                "code": STATION_ZEZHOU,
                "name": "南村镇便民服务中心",
                "division_code": ZEZHOU + "100",
                "address": "南村镇政府一楼",
            },
            {
                "code": STATION_CHENGQU,
                "name": "东街街道便民服务中心",
                "division_code": CHENGQU + "001",
                "address": "东街 1 号",
            },
        ],
        "matters": [
            _matter(HOME_MATTER, "城乡居民养老保险参保登记", "home_acceptance"),
            _matter(ENTRUSTED_MATTER, "临时救助申请", "entrusted_approval", entrust),
            _matter(CITY_MATTER, "食品经营许可", "city_level"),
            _matter(ORPHAN_MATTER, "无人办理的事项", "home_acceptance"),
        ],
    }


def make_catalog(version: str = "2026.01.01") -> Catalog:
    return Catalog.parse(catalog_data(version))


def write_catalog(folder: Path, version: str = "2026.01.01") -> Path:
    """Write the test catalog in the loader's folder layout (docs/catalog-data.md)."""
    data = make_catalog(version).to_json_dict()
    (folder / "matters").mkdir(parents=True, exist_ok=True)
    (folder / "catalog.yaml").write_text(yaml.safe_dump(data["version"], allow_unicode=True), "utf-8")
    with (folder / "divisions.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["code", "name", "level", "parent_code"])
        writer.writeheader()
        writer.writerows(data["divisions"])
    for name in ("departments", "stations"):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data[name], allow_unicode=True), "utf-8")
    for matter in data["matters"]:
        (folder / "matters" / f"{matter['code']}.yaml").write_text(
            yaml.safe_dump(matter, allow_unicode=True), "utf-8"
        )
    return folder


def png_page(seed: int, size: tuple[int, int] = (16, 12)) -> bytes:
    """A small PNG, different for every seed."""
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed // 65536) % 256))
    image.putpixel((0, 0), (seed % 256, (seed >> 8) % 256, (seed >> 16) % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def id_number(county: str = QINSHUI, birth: date = date(1998, 5, 17), serial: int = 123) -> str:
    """A valid resident ID number (its county must have existed in the birth year)."""
    body = f"{county}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit


def make_manifest(
    kiosk_id: str,
    station_code: str = STATION_ZEZHOU,
    *,
    seq: int = 1,
    matter_code: str = HOME_MATTER,
    home_division: str = QINSHUI + "200201",
    pages: list[bytes] | None = None,
    created_at: datetime | None = None,
    client_uuid: uuid.UUID | None = None,
    name: str = "张三",
    applicant: dict[str, str] | None = None,
) -> tuple[SubmissionManifest, dict[str, bytes]]:
    """A finalized manifest and its page bytes by sha256 (2 pages unless given); ``applicant``
    replaces the default person (an enterprise, say)."""
    created_at = created_at or datetime(2026, 1, 5, 10, 30, tzinfo=CHINA)
    pages = pages if pages is not None else [png_page(seq * 10 + 1), png_page(seq * 10 + 2)]
    blobs = {sha256_hex(p): p for p in pages}
    records = [
        {
            "sha256": sha256_hex(p),
            "size": len(p),
            "content_type": "image/png",
            "width": 16,
            "height": 12,
            "ocr_text": "居民身份证" if i == 0 else "申请表",
        }
        for i, p in enumerate(pages)
    ]
    materials = [{"requirement_code": "id_card", "name": "居民身份证", "pages": records[:1]}]
    if len(records) > 1:
        materials.append({"requirement_code": "form", "name": "申请表", "pages": records[1:]})
    data = {
        "client_uuid": str(client_uuid or uuid.uuid4()),
        "receipt_no": f"{station_code}-{kiosk_id}-{created_at:%Y%m%d}-{seq:04d}",
        "kiosk_id": kiosk_id,
        "station_code": station_code,
        "created_at": created_at.isoformat(),
        "matter_code": matter_code,
        "catalog_version": "2026.01.01",
        "applicant": applicant
        or {
            "kind": "person",
            "name": name,
            "id_number": id_number(home_division[:6]),
            "phone": "13800138000",
            "home_division": home_division,
        },
        "materials": materials,
        "completeness": {"complete": True, "issues": []},
        "delivery": {"method": "pickup"},
        "promise": {
            "text": promise_statement("person", "人社局", "参保登记"),
            "confirmed": True,
            "confirmed_at": created_at.isoformat(),
        },
    }
    return SubmissionManifest.parse(data), blobs


def make_bundle(
    path: Path,
    kiosk_id: str,
    bundle_key: str,
    manifests: list[SubmissionManifest],
    blobs: dict[str, bytes],
    *,
    seal_key: str | None = None,
) -> Path:
    """Write a sealed bundle the way ``tongban kiosk export`` does (docs/sync-protocol.md).

    ``seal_key`` seals it under another key (a forged bundle); ``blobs`` maps each sha256
    the bundle claims to the bytes it carries (give wrong bytes to make a corrupt page).
    """
    body = json.dumps(
        {
            "kiosk_id": kiosk_id,
            "created_at": datetime.now(UTC).isoformat(),
            "submissions": [m.model_dump(mode="json") for m in manifests],
        },
        ensure_ascii=False,
    ).encode("utf-8")
    header = new_header(kiosk_id, datetime.now(UTC))
    seal = BundleSeal(seal_key or bundle_key, header)
    members = {HEADER: header, SEALED_MANIFEST: seal.seal(SEALED_MANIFEST, body)}
    members.update(seal.seal_blob(i, sha, data) for i, (sha, data) in enumerate(blobs.items()))
    return write_tar(path, members)


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
