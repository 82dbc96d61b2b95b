"""``tongban scan``: the JSON contract, and bad files as pages, never crashes."""

from __future__ import annotations

import json
import struct
import zlib

import cv2
import pytest
from click.testing import CliRunner

from tongban_cli.main import cli

PAGE_KEYS = {"source", "ok", "problems", "rotation", "skew_deg", "quad", "text", "ocr_confidence", "barcodes",
             "material", "fields", "image", "timings_ms"}  # fmt: skip


def png_bomb(path) -> None:
    """A valid PNG header claiming 100 000 × 100 000 pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)))


@pytest.fixture(scope="module")
def files(tmp_path_factory, docs):
    d = tmp_path_factory.mktemp("in")
    card = d / "card.png"
    cv2.imwrite(str(card), docs["id_card_front"].image)  # a flat scan: the page fills the frame
    (d / "notes.txt").write_text("not an image", encoding="utf-8")
    (d / "empty.jpg").write_bytes(b"")
    _ok, jpg = cv2.imencode(".jpg", docs["id_card_back"].image)
    (d / "truncated.jpg").write_bytes(jpg.tobytes()[:300])
    png_bomb(d / "bomb.png")
    return d


def run(args, tmp_path):
    result = CliRunner().invoke(
        cli, ["scan", *args, "--json", "--home", str(tmp_path)], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_json_shape_and_bad_files(files, tmp_path):
    names = ["card.png", "notes.txt", "empty.jpg", "truncated.jpg", "bomb.png"]
    code, output = run([str(files / n) for n in names] + ["--out", str(tmp_path / "out")], tmp_path)
    assert code == 0
    body = json.loads(output)
    assert set(body) == {"pages"}
    pages = body["pages"]
    assert [p["source"] for p in pages] == names
    assert all(set(p) == PAGE_KEYS for p in pages)
    good = pages[0]
    assert (
        good["ok"] and good["fields"]["id_number"] and good["image"]["path"].startswith(str(tmp_path / "out"))
    )
    assert good["material"] is None  # no --matter: nothing to classify against
    problems = {p["source"]: [q["code"] for q in p["problems"]] for p in pages[1:]}
    assert problems == {
        "notes.txt": ["not_an_image"],
        "empty.jpg": ["empty"],
        "truncated.jpg": ["truncated"],
        "bomb.png": ["too_large"],
    }
    assert all(not p["ok"] and p["problems"][0]["message"] for p in pages[1:])


def test_matter_adds_completeness(files, tmp_path):
    code, output = run([str(files / "card.png"), "--matter", "JC-MZ-001", "--engine", "tesseract"], tmp_path)
    assert code == 0
    body = json.loads(output)
    assert body["pages"][0]["material"]["code"] == "id_card_front"
    done = body["completeness"]
    assert done["complete"] is False
    missing = {i["material_code"] for i in done["issues"] if i["code"] == "missing_material"}
    assert {"application_form", "id_card_back", "household_register"} <= missing
    assert "id_card_front" not in missing


def test_usage_errors_exit_2(files, tmp_path):
    code, output = run([str(files / "card.png"), "--matter", "NO-SUCH-1"], tmp_path)
    body = json.loads(output)
    assert code == 2 and body["error"] == "unknown_matter" and "NO-SUCH-1" in body["message"]
    result = CliRunner().invoke(cli, ["scan", str(files / "card.png"), "--engine", "abbyy"])
    assert result.exit_code == 2


def test_a_missing_file_is_a_usage_error(files, tmp_path):
    code, output = run([str(files / "card.png"), str(files / "missing.png")], tmp_path)
    assert code == 2
    body = json.loads(output)
    assert body["error"] == "missing_file" and body["missing"] == [str(files / "missing.png")]
    assert not (tmp_path / "pages").exists() or not any((tmp_path / "pages").iterdir())  # nothing scanned
