"""ID card readers (二代证阅读器): none, a virtual one reading a JSON file, or a vendor
driver through ctypes.

When no reader is present or it fails, the identity screen falls back to scanning the
card with the camera, and last to the on-screen keypad: a broken reader never blocks a
resident.
"""

from __future__ import annotations

import ctypes
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdCardData:
    name: str
    id_number: str
    address: str = ""
    sex: str = ""
    birth: str = ""


class IdReader(Protocol):
    available: bool

    def read(self) -> IdCardData | None: ...

    def probe(self) -> tuple[bool, str]: ...


class NoIdReader:
    available = False

    def read(self) -> IdCardData | None:
        return None

    def probe(self) -> tuple[bool, str]:
        return True, "no ID reader on this model (camera scan instead)"


class VirtualIdReader:
    """Reads the card 'on the reader' from a JSON file (``name``, ``id_number``, ``address``)."""

    available = True

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> IdCardData | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return IdCardData(
                name=str(raw["name"]),
                id_number=str(raw["id_number"]).upper(),
                address=str(raw.get("address", "")),
                sex=str(raw.get("sex", "")),
                birth=str(raw.get("birth", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("virtual ID reader: no card (%s)", exc)
            return None

    def probe(self) -> tuple[bool, str]:
        return True, f"virtual ID reader ({self.path})"


# Text section of a second-generation card as readers return it: UCS-2LE, fixed widths
# in bytes (GA 450): name 30, sex 2, nation 4, birth 16, address 70, number 36, ...
_LAYOUT = [("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36)]
_SEX = {"1": "男", "2": "女"}


def parse_base_message(raw: bytes) -> IdCardData:
    """Decode the reader's 256-byte text block; raises ValueError when it is too short."""
    if len(raw) < sum(width for _, width in _LAYOUT):
        raise ValueError("ID card text block too short")
    values: dict[str, str] = {}
    offset = 0
    for key, width in _LAYOUT:
        values[key] = raw[offset : offset + width].decode("utf-16-le", errors="replace").strip()
        offset += width
    return IdCardData(
        name=values["name"],
        id_number=values["id_number"].upper(),
        address=values["address"],
        sex=_SEX.get(values["sex"], values["sex"]),
        birth=values["birth"],
    )


class DriverIdReader:
    """A reader module through its vendor SDK (``lib<driver>.so``, SDT API convention)."""

    PORT_USB = 1001

    def __init__(self, driver: str, port: str = "usb") -> None:
        self.driver = driver
        self.port = self.PORT_USB if port == "usb" else int(port)
        self._lib: ctypes.CDLL | None = None
        try:
            self._lib = ctypes.CDLL(f"lib{driver}.so")
        except OSError as exc:
            log.warning("ID reader driver lib%s.so not loadable: %s", driver, exc)
        self.available = self._lib is not None

    def read(self) -> IdCardData | None:
        if self._lib is None:
            return None
        lib = self._lib
        try:
            if lib.SDT_OpenPort(self.port) != 0x90:
                return None
            manage = ctypes.create_string_buffer(8)
            lib.SDT_StartFindIDCard(self.port, manage, 1)
            lib.SDT_SelectIDCard(self.port, manage, 1)
            text = ctypes.create_string_buffer(256)
            photo = ctypes.create_string_buffer(1024)
            text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
            status = lib.SDT_ReadBaseMsg(
                self.port, text, ctypes.byref(text_len), photo, ctypes.byref(photo_len), 1
            )
            lib.SDT_ClosePort(self.port)
            if status != 0x90:
                return None
            return parse_base_message(text.raw[: text_len.value or 256])
        except (AttributeError, OSError, ValueError) as exc:
            log.warning("ID reader read failed: %s", exc)
            return None

    def probe(self) -> tuple[bool, str]:
        if self._lib is None:
            return False, f"driver lib{self.driver}.so not installed"
        return True, f"driver {self.driver} loaded"
