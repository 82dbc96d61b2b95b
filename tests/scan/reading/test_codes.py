"""QR codes and barcodes through both readers, including Chinese payloads."""

from __future__ import annotations

import random

import pytest

from kiosk.scan.codes import READERS, ZbarReader, ZxingReader, decode_payload, read_codes
from kiosk.scan.synth.codes import barcode_image, photograph, qr_image

CHINESE = "姓名:张三;住址:山西省晋城市泽州县"


def test_payload_decoding():
    assert decode_payload(CHINESE.encode("utf-8")) == CHINESE
    assert decode_payload(CHINESE.encode("gb18030")) == CHINESE
    assert decode_payload("晋城市便民服务中心".encode("gb2312")) == "晋城市便民服务中心"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_each_reader_reads_a_tilted_qr_and_a_barcode(reader):
    rng = random.Random(3)
    url = "https://www.gsxt.gov.cn/corp?uniscid=9314052184669X8YEJ"
    found = READERS[reader]().read(photograph(qr_image(url, 4), rng, tilt=0.25))
    assert [(f.code.type, f.code.data) for f in found] == [("QRCODE", url)]
    found = READERS[reader]().read(photograph(barcode_image("ZZ-109-20250526"), rng, tilt=0.08))
    assert [(f.code.type, f.code.data) for f in found] == [("CODE128", "ZZ-109-20250526")]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "gb2312"])
def test_chinese_payloads_read_right_once(encoding):
    """zbar garbles GB18030 bytes; zxing reads them; merged, each code appears once, right."""
    rng = random.Random(5)
    text = "晋城市泽州县便民服务中心"
    image = photograph(qr_image(text.encode(encoding), 4), rng, tilt=0.15, contrast=0.5)
    for readers in (("zxing",), ("zxing", "zbar")):
        codes = read_codes(image, readers)
        assert [(c.type, c.data) for c in codes] == [("QRCODE", text)]


def test_zbar_garbles_gb18030_which_is_why_zxing_leads():
    image = photograph(qr_image(CHINESE.encode("gb18030"), 4), random.Random(1), tilt=0.05)
    assert [f.code.data for f in ZxingReader().read(image)] == [CHINESE]
    assert CHINESE not in [f.code.data for f in ZbarReader().read(image)]


def test_low_contrast_tilted_code_still_read():
    image = photograph(qr_image("ZZ-109-20250526-4624", 5), random.Random(9), tilt=0.3, contrast=0.25)
    assert [c.data for c in read_codes(image)] == ["ZZ-109-20250526-4624"]


def test_no_codes_and_a_broken_reader_give_an_empty_list(docs, monkeypatch):
    assert read_codes(docs["guide_page"].image) == []

    def explode(self, gray):
        raise RuntimeError("native crash")

    monkeypatch.setattr(ZxingReader, "read", explode)
    assert [c.engine for c in read_codes(docs["business_licence"].image, ("zxing", "zbar"))] == ["zbar"]
