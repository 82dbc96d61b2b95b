"""Codes on every page (accepted, rejected, no page at all), the second passes, and the
charset rule — on real photographs where the repository has them."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from kiosk.scan.code_passes import Pass, second_look
from kiosk.scan.codes import ZxingReader, read_codes
from kiosk.scan.finders import find_finders
from kiosk.scan.payload import decode_payload
from kiosk.scan.pipeline import Pipeline
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.codes import qr_image
from tongban_cli.main import cli

URL = "https://www.gsxt.gov.cn/corp?uniscid=9314052184669X8YEJ"
REPO = Path(__file__).resolve().parents[3]


def _real_set():
    sys.path.insert(0, str(REPO))
    from bench.codes import REAL_QR, real_set

    if not REAL_QR.is_dir():
        if os.environ.get("CI"):  # CI always has shared/ beside the clone: a skip there hides a loss
            pytest.fail(f"the real-QR development set is missing in CI: {REAL_QR}")
        pytest.skip(f"the real-QR development set is not here: {REAL_QR}")
    return real_set()


@pytest.fixture(scope="module")
def real():
    return {name: (gray, truth) for name, gray, truth in _real_set()}


def test_real_photographs_read_at_least_90_percent_with_no_misread(real):
    read, misread = [], []
    for name, (gray, truth) in real.items():
        got = [c.data for c in read_codes(gray)]
        if truth in got:
            read.append(name)
        elif got:
            misread.append((name, got))
    assert misread == []
    assert len(read) >= 0.9 * len(real), sorted(set(real) - set(read))


def test_second_pass_finds_what_the_first_pass_misses_on_a_page(real, docs):
    """A worn, engraved code (zxing's first pass reads nothing) on an A4 page: the finder
    search places a crop around it and a second pass reads it."""
    photo, truth = real["28"]
    page = np.ascontiguousarray(cv2.cvtColor(docs["guide_page"].image, cv2.COLOR_BGR2GRAY))
    page[300 : 300 + photo.shape[0], 1200 : 1200 + photo.shape[1]] = photo
    assert ZxingReader().read(page) == []
    assert [c.data for c in read_codes(page)] == [truth]


def test_a_page_without_a_code_has_no_finder_and_no_second_pass(docs):
    page = cv2.cvtColor(docs["guide_page"].image, cv2.COLOR_BGR2GRAY)
    assert find_finders(page) == []
    assert second_look(page) == []
    assert read_codes(docs["guide_page"].image) == []


def test_a_lone_finder_like_mark_buys_no_second_pass(docs):
    """A checked box (▣) on a form is one finder-like mark; a QR code has three. The second
    passes cost ~0.2 s of CPU round a lone mark, so they run only round marks with a partner."""
    page = np.ascontiguousarray(cv2.cvtColor(docs["guide_page"].image, cv2.COLOR_BGR2GRAY))
    cv2.rectangle(page, (1200, 300), (1227, 327), 0, 4)  # ▣: a ring, a light ring, a solid square
    cv2.rectangle(page, (1208, 308), (1219, 319), 0, -1)
    assert len(find_finders(page)) >= 1
    ran = []
    probe = Pass("probe", lambda crop: ran.append(crop.shape) or [])
    assert second_look(page, (probe,)) == [] and ran == []
    code = cv2.resize(qr_image(URL, 6), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    page[900 : 900 + code.shape[0], 300 : 300 + code.shape[1]] = code  # three real finders
    second_look(page, (probe,))
    assert len(ran) == 1


def test_a_code_inside_a_code_gives_both(real):
    """zxing reads both symbols of a "double QR"; one reader's overlapping codes are kept."""
    gray, truth = real["16"]
    got = [c.data for c in read_codes(gray)]
    assert len(got) == 2 and truth in got


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("晋城市泽州县便民服务中心", "gb2312"),
        ("姓名:张三;住址:山西省晋城市", "gb18030"),
        ("[内側QRコード]ダブルQR", "shift_jis"),
        ("*ﾃﾞｻﾞｲﾝQR*", "shift_jis"),  # half-width kana: also 3 valid GB2312 characters
        ("张三 abc", "utf-8"),
    ],
)
def test_payload_charset(text, encoding):
    assert decode_payload(text.encode(encoding)) == text


def test_short_gb_names_stay_chinese():
    """zxing-cpp's own guess turned about half of two-character GB payloads into Shift_JIS;
    about 1 % of them are also valid UTF-8, and 2 % give a stray half-width voicing mark."""
    common = [bytes([a, b]).decode("gb2312") for a in range(0xB0, 0xD7) for b in range(0xA1, 0xFF)]
    rng = random.Random(4)
    names = ["".join(rng.choice(common) for _ in range(rng.choice([2, 3, 4]))) for _ in range(3000)]
    wrong = [n for n in names if decode_payload(n.encode("gb18030")) != n]
    assert len(wrong) <= 3, wrong


@pytest.mark.parametrize("text", ["café", "Müller", "Привет мир", "naïve façade"])
def test_utf8_latin_and_cyrillic_stay_utf8(text):
    assert decode_payload(text.encode("utf-8")) == text


@pytest.fixture(scope="module")
def captures(tmp_path_factory, docs):
    """A licence photographed far too dark (the gate rejects it, its QR is still legible)
    and a QR code on a desk with no page at all."""
    d = tmp_path_factory.mktemp("codes")
    params = random_params(53, (2000, 1500), background="dark", fill=0.85, glare=0.0, shadow=0.0)
    dark = (photograph(docs["business_licence"].image, params, 53).image * 0.25).astype(np.uint8)
    cv2.imwrite(str(d / "dark.png"), dark)
    desk = np.random.default_rng(1).integers(40, 80, (1500, 2000, 3), dtype=np.uint8)
    code = cv2.cvtColor(qr_image(URL, 6), cv2.COLOR_GRAY2BGR)
    desk[500 : 500 + code.shape[0], 800 : 800 + code.shape[1]] = code
    cv2.imwrite(str(d / "desk.png"), desk)
    return d


def test_codes_read_on_a_rejected_page_and_without_a_page(captures):
    pipe = Pipeline(engine="tesseract")
    dark = pipe.process_file(captures / "dark.png")[0]
    assert not dark.ok and "too_dark" in [p.code for p in dark.problems]
    assert [(b.type, b.data) for b in dark.barcodes] == [("QRCODE", URL)]
    desk = pipe.process_file(captures / "desk.png")[0]
    assert not desk.ok and "no_page" in [p.code for p in desk.problems]
    assert [(b.type, b.data) for b in desk.barcodes] == [("QRCODE", URL)]


def test_cli_reports_codes_of_rejected_pages(captures, tmp_path):
    files = [str(captures / "dark.png"), str(captures / "desk.png")]
    result = CliRunner().invoke(
        cli,
        ["scan", *files, "--engine", "tesseract", "--json", "--home", str(tmp_path)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    pages = json.loads(result.output)["pages"]
    assert [p["ok"] for p in pages] == [False, False]
    assert [p["barcodes"] for p in pages] == [[{"type": "QRCODE", "data": URL}]] * 2
