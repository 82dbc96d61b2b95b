"""Hardware profiles: what camera, printer, ID reader, screen and voice a kiosk model has.

Profiles are YAML files in ``hardware_profiles/`` (or any path). A typo in a field name
or an impossible value is an error that names the file and the field, before the kiosk
opens a window: better a clear message at install time than a blank screen at a village.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared_schema.errors import FieldProblem, SchemaError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreenSpec(_Strict):
    width: int = Field(1280, ge=640, le=7680)
    height: int = Field(800, ge=480, le=4320)
    diagonal_in: float | None = Field(None, gt=5, lt=100)
    touch: bool = False
    fullscreen: bool = False


class VirtualCameraSpec(_Strict):
    kind: Literal["virtual"]
    folder: str | None = Field(None, description="images to play; default: <home>/camera")
    width: int | None = Field(None, ge=320, le=10000, description="larger images are scaled down to fit")
    height: int | None = Field(None, ge=240, le=10000)


class OpenCvCameraSpec(_Strict):
    kind: Literal["opencv"]
    index: int = Field(0, ge=0, le=16)
    width: int = Field(1920, ge=320, le=10000)
    height: int = Field(1080, ge=240, le=10000)


class PdfPrinterSpec(_Strict):
    kind: Literal["pdf"]
    folder: str | None = Field(None, description="default: <home>/prints")


class CupsPrinterSpec(_Strict):
    kind: Literal["cups"]
    queue: str = Field(min_length=1)
    media: str = "A4"


class EscPosPrinterSpec(_Strict):
    kind: Literal["escpos"]
    device: str = Field(pattern=r"^/dev/")
    columns: int = Field(32, ge=24, le=64, description="characters per line (58 mm: 32)")
    encoding: Literal["gb18030", "gbk"] = "gb18030"


class NoIdReaderSpec(_Strict):
    kind: Literal["none"]


class VirtualIdReaderSpec(_Strict):
    kind: Literal["virtual"]
    file: str = Field(description="JSON file with name, id_number, address")


class DriverIdReaderSpec(_Strict):
    kind: Literal["driver"]
    driver: str = Field(min_length=2, description="vendor driver name, e.g. sdtapi")
    port: str = "usb"


class VoiceSpec(_Strict):
    enabled: bool = False
    engine: Literal["espeak-ng", "record"] = "espeak-ng"  # record: the virtual voice
    voice: str = "cmn"
    speed: int = Field(150, ge=80, le=400)


class ScanSpec(_Strict):
    """The OCR engine of the scan worker: RapidOCR reads best (docs/scanning.md); Tesseract is
    ~0.5 s faster per page and ~80 MB smaller, for kiosks with one core or little memory."""

    engine: Literal["rapidocr", "tesseract"] = "rapidocr"


class AssistSpec(_Strict):
    pin_hash: str | None = Field(None, pattern=r"^\$argon2id\$")
    max_failures: int = Field(5, ge=1, le=20)
    lockout_s: int = Field(300, ge=10, le=86400)


Camera = Annotated[VirtualCameraSpec | OpenCvCameraSpec, Field(discriminator="kind")]
Printer = Annotated[PdfPrinterSpec | CupsPrinterSpec | EscPosPrinterSpec, Field(discriminator="kind")]
IdReader = Annotated[NoIdReaderSpec | VirtualIdReaderSpec | DriverIdReaderSpec, Field(discriminator="kind")]


class HardwareProfile(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    description: str = ""
    screen: ScreenSpec = Field(default_factory=ScreenSpec)
    camera: Camera
    printer: Printer
    id_reader: IdReader = Field(default_factory=lambda: NoIdReaderSpec(kind="none"))
    voice: VoiceSpec = Field(default_factory=VoiceSpec)
    scan: ScanSpec = Field(default_factory=ScanSpec)
    assist: AssistSpec = Field(default_factory=AssistSpec)
    idle_timeout_s: int = Field(120, ge=15, le=3600)
    language: Literal["zh_CN", "en"] = "zh_CN"


def profiles_dir() -> Path:
    return Path(str(resources.files("hardware_profiles")))


def available_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> HardwareProfile:
    """A packaged profile by name (``virtual``) or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = profiles_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            known = ", ".join(available_profiles())
            raise SchemaError(
                [FieldProblem("(profile)", f"unknown profile {name_or_path!r}; known: {known}")],
                source=str(path),
                model="HardwareProfile",
            )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(
            [FieldProblem("(file)", str(exc))], source=str(path), model="HardwareProfile"
        ) from None
    try:
        return HardwareProfile.model_validate(raw)
    except ValidationError as exc:
        raise SchemaError.from_validation_error(exc, source=str(path)) from None
