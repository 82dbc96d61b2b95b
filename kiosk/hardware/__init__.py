"""Kiosk devices chosen by the hardware profile, each behind a small interface.

The virtual devices are real implementations (files in, files out), not mocks: the demo
and the tests run the same code paths as a village kiosk, minus the hardware.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .camera import Camera, OpenCvCamera, VirtualCamera
from .idreader import DriverIdReader, IdReader, NoIdReader, VirtualIdReader
from .printer import PRINTS_FOLDER, CupsPrinter, EscPosPrinter, PdfFilePrinter, Printer
from .profile import HardwareProfile, load_profile
from .voice import EspeakVoice, NoVoice, RecordingVoice, Voice

__all__ = ["Devices", "HardwareProfile", "build_devices", "load_profile"]


@dataclass
class Devices:
    profile: HardwareProfile
    camera: Camera
    printer: Printer
    id_reader: IdReader
    voice: Voice  # prompts on entering each screen (NoVoice when the profile turns them off)
    reader: Voice  # the profile's voice even so: the accessibility mode reads every prompt

    def close(self) -> None:
        self.camera.close()


def _camera(profile: HardwareProfile, home: Path) -> Camera:
    spec = profile.camera
    if spec.kind == "virtual":
        size = (spec.width, spec.height) if spec.width and spec.height else None
        return VirtualCamera(Path(spec.folder) if spec.folder else home / "camera", size)
    return OpenCvCamera(spec.index, spec.width, spec.height, home / "scans" / "captures")


def _printer(profile: HardwareProfile, home: Path) -> Printer:
    spec = profile.printer
    prints = home / PRINTS_FOLDER
    if spec.kind == "pdf":
        return PdfFilePrinter(Path(spec.folder) if spec.folder else prints)
    if spec.kind == "cups":
        return CupsPrinter(spec.queue, spec.media, prints)
    return EscPosPrinter(Path(spec.device), spec.encoding, prints)


def _id_reader(profile: HardwareProfile) -> IdReader:
    spec = profile.id_reader
    if spec.kind == "virtual":
        return VirtualIdReader(Path(spec.file))
    if spec.kind == "driver":
        return DriverIdReader(spec.driver, spec.port)
    return NoIdReader()


def _voice(profile: HardwareProfile) -> Voice:
    spec = profile.voice
    if spec.engine == "record":
        return RecordingVoice()
    return EspeakVoice(spec.voice, spec.speed)


def build_devices(profile: HardwareProfile, home: Path) -> Devices:
    reader = _voice(profile)
    voice: Voice = reader if profile.voice.enabled else NoVoice()
    camera, printer = _camera(profile, home), _printer(profile, home)
    return Devices(profile, camera, printer, _id_reader(profile), voice, reader)
