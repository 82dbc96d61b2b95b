"""Hardware profiles validate with clear errors; the virtual and fallback devices work."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from kiosk.hardware import build_devices
from kiosk.hardware.camera import OpenCvCamera, Still, VirtualCamera, read_still
from kiosk.hardware.idreader import DriverIdReader, VirtualIdReader, parse_base_message
from kiosk.hardware.printer import Document, EscPosPrinter, escpos_bytes
from kiosk.hardware.profile import available_profiles, load_profile
from kiosk.hardware.voice import EspeakVoice
from shared_schema import SchemaError


def test_packaged_profiles_are_valid():
    names = available_profiles()
    assert {"virtual", "laptop", "zt-kiosk-a4"} <= set(names)
    kiosk = load_profile("zt-kiosk-a4")
    assert (kiosk.camera.width, kiosk.camera.height) == (3264, 2448)
    assert kiosk.screen.diagonal_in == 21.5 and kiosk.voice.enabled and kiosk.voice.voice == "cmn"
    assert load_profile("virtual").camera.kind == "virtual"
    assert kiosk.scan.engine == "rapidocr" and load_profile("virtual").scan.engine == "rapidocr"


def test_bad_profile_names_every_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: Bad Name\ncamera: {kind: webcam}\nprinter: {kind: escpos, device: lp0}\nscren: {}\n"
        "scan: {engine: abbyy}\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as err:
        load_profile(bad)
    text = str(err.value)
    assert str(bad) in text
    for field in ("name", "camera", "printer.escpos.device", "scren", "scan.engine"):
        assert field in text, f"{field} not named in: {text}"


def test_unknown_profile_lists_known_ones():
    with pytest.raises(SchemaError) as err:
        load_profile("no-such-kiosk")
    assert "virtual" in str(err.value)


def test_virtual_camera_plays_placed_paper(tmp_path):
    image = np.full((60, 80, 3), 200, np.uint8)
    cv2.imwrite(str(tmp_path / "a.png"), image)
    camera = VirtualCamera(tmp_path / "plate")
    assert camera.capture() is None  # nothing on the plate
    camera.place(tmp_path / "a.png")
    still = camera.capture()
    assert isinstance(still, Still) and still.path == tmp_path / "a.png" and not still.owned
    assert read_still(still).shape == (60, 80, 3)  # the pixels are read where they are scanned
    assert (tmp_path / "a.png").exists()  # the paper stays on the plate
    assert camera.probe()[0]


def test_virtual_camera_scales_to_its_resolution_when_read(tmp_path):
    cv2.imwrite(str(tmp_path / "big.png"), np.full((300, 400, 3), 90, np.uint8))
    camera = VirtualCamera(tmp_path / "plate", size=(200, 200))
    camera.place(tmp_path / "big.png")
    assert read_still(camera.capture()).shape == (150, 200, 3)
    assert camera.preview() is camera.preview()  # the same paper: the screen makes no new texture


def test_an_opencv_capture_is_a_file_the_reader_deletes(tmp_path, monkeypatch):
    frame = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    camera = OpenCvCamera(0, 4, 2, tmp_path / "captures")
    monkeypatch.setattr(camera, "_grab", lambda: frame)
    still = camera.capture()
    assert still.owned and still.path.parent == tmp_path / "captures" and still.path.exists()
    assert (read_still(still) == frame).all()
    assert not still.path.exists()  # read once, then gone (it shows a resident's document)
    left = camera.capture()
    camera.close()  # e.g. the worker died before reading it
    assert not left.path.exists()


def test_virtual_devices_from_profile(tmp_path):
    devices = build_devices(load_profile("virtual"), tmp_path)
    outcome = devices.printer.print(Document("receipt", "X-1", b"%PDF-1.4 test"))
    assert outcome.ok and outcome.pdf_path.read_bytes().startswith(b"%PDF")
    assert not devices.id_reader.available and devices.id_reader.read() is None


def test_escpos_bytes_to_a_device_file(tmp_path):
    doc = Document(
        "receipt", "CQ0100-K1-20240603-0001", b"%PDF", ["申请材料接收通知书", "编号：X"], qr="CQ0100-K1"
    )
    raw = escpos_bytes(doc)
    assert raw.startswith(b"\x1b@") and "申请材料接收通知书".encode("gb18030") in raw
    assert b"\x1d(k" in raw and b"CQ0100-K1" in raw and raw.endswith(b"\x1dVB\x00")
    device = tmp_path / "lp0"
    outcome = EscPosPrinter(device, "gb18030", tmp_path / "prints").print(doc)
    assert outcome.ok and device.read_bytes() == raw
    missing = EscPosPrinter(tmp_path / "nodir" / "lp0", "gb18030", tmp_path / "prints").print(doc)
    assert not missing.ok and missing.pdf_path.exists()  # kept for a reprint


def test_id_readers(tmp_path):
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"name": "王秀英", "id_number": "14050219900101123x"}), encoding="utf-8")
    assert VirtualIdReader(card).read().id_number.endswith("X")
    assert VirtualIdReader(tmp_path / "none.json").read() is None
    driver = DriverIdReader("no-such-vendor-sdk")
    assert not driver.available and driver.read() is None and not driver.probe()[0]
    block = (
        "".join(
            v.ljust(n // 2)
            for v, n in [
                ("王秀英", 30),
                ("2", 2),
                ("01", 4),
                ("19900101", 16),
                ("山西省晋城市", 70),
                ("140502199001011234", 36),
            ]
        ).encode("utf-16-le")
        + b"\0" * 98
    )
    parsed = parse_base_message(block)
    assert (parsed.name, parsed.sex, parsed.id_number) == ("王秀英", "女", "140502199001011234")
    with pytest.raises(ValueError):
        parse_base_message(b"short")


def test_espeak_mandarin_command():
    assert EspeakVoice("cmn", 140).command("请把身份证放在读卡区")[:5] == [
        "espeak-ng",
        "-v",
        "cmn",
        "-s",
        "140",
    ]
