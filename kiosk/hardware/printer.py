"""Printers: a PDF file (virtual/laptop), an A4 printer through CUPS ``lp``, or a thermal
receipt printer spoken to in ESC/POS bytes.

Every document is rendered as a PDF (kept in ``<home>/prints`` in all cases, so staff
can reprint) and as plain text lines for printers that cannot take a PDF.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

PRINTS_FOLDER = "prints"
"""Where printed copies stay for a reprint (``<home>/prints``); the kiosk purge empties it daily."""


@dataclass
class Document:
    """One printable form: its PDF, a text rendering, and a QR payload for thermal paper."""

    kind: str  # receipt / correction / guide / result
    name: str  # file stem, e.g. the receipt number
    pdf: bytes
    lines: list[str] = field(default_factory=list)
    qr: str | None = None


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    pdf_path: Path
    detail: str


class Printer(Protocol):
    def print(self, doc: Document) -> PrintOutcome: ...

    def probe(self) -> tuple[bool, str]: ...


def _keep(folder: Path, doc: Document) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{doc.kind}-{doc.name}-{stamp}.pdf"
    n = 1
    while path.exists():
        path = folder / f"{doc.kind}-{doc.name}-{stamp}-{n}.pdf"
        n += 1
    path.write_bytes(doc.pdf)
    return path


class PdfFilePrinter:
    """Writes the PDF into a folder: the virtual kiosk's 'paper'."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def print(self, doc: Document) -> PrintOutcome:
        path = _keep(self.folder, doc)
        return PrintOutcome(True, path, f"saved {path}")

    def probe(self) -> tuple[bool, str]:
        self.folder.mkdir(parents=True, exist_ok=True)
        return True, f"PDF files in {self.folder}"


class CupsPrinter:
    """An A4 printer queue through CUPS's ``lp`` command."""

    def __init__(self, queue: str, media: str, keep_folder: Path) -> None:
        self.queue, self.media, self.keep_folder = queue, media, Path(keep_folder)

    def print(self, doc: Document) -> PrintOutcome:
        path = _keep(self.keep_folder, doc)
        if not shutil.which("lp"):
            return PrintOutcome(False, path, "lp not installed (cups-client)")
        cmd = ["lp", "-d", self.queue, "-o", f"media={self.media}", "-t", doc.name, str(path)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        except subprocess.TimeoutExpired:
            return PrintOutcome(False, path, "lp timed out")
        ok = done.returncode == 0
        return PrintOutcome(ok, path, (done.stdout or done.stderr).strip())

    def probe(self) -> tuple[bool, str]:
        if not shutil.which("lpstat"):
            return False, "CUPS client not installed"
        done = subprocess.run(
            ["lpstat", "-p", self.queue], capture_output=True, text=True, timeout=10, check=False
        )
        return done.returncode == 0 and "enabled" in done.stdout, (done.stdout or done.stderr).strip()


ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"  # select the printer's built-in Chinese character mode
GS_CUT = b"\x1dV\x42\x00"  # feed and partial cut


def escpos_qr(payload: str) -> bytes:
    """GS ( k: model 2 QR, module size 6, error correction M, store then print."""
    data = payload.encode("ascii")
    store_len = len(data) + 3
    return b"".join(
        [
            b"\x1d(k\x04\x00\x31\x41\x32\x00",
            b"\x1d(k\x03\x00\x31\x43\x06",
            b"\x1d(k\x03\x00\x31\x45\x31",
            b"\x1d(k" + bytes([store_len % 256, store_len // 256]) + b"\x31\x50\x30" + data,
            b"\x1d(k\x03\x00\x31\x51\x30",
        ]
    )


def escpos_bytes(doc: Document, encoding: str = "gb18030") -> bytes:
    """The byte stream a thermal printer prints: text lines, the QR code, a cut."""
    body = "\n".join(doc.lines) + "\n"
    out = [ESC_INIT, FS_CHINESE_ON, body.encode(encoding, errors="replace")]
    if doc.qr:
        out += [b"\x1ba\x01", escpos_qr(doc.qr), b"\n\x1ba\x00"]
    out += [b"\n\n\n", GS_CUT]
    return b"".join(out)


class EscPosPrinter:
    """A thermal receipt printer at a device file (``/dev/usb/lp0``)."""

    def __init__(self, device: Path, encoding: str, keep_folder: Path) -> None:
        self.device, self.encoding, self.keep_folder = Path(device), encoding, Path(keep_folder)

    def print(self, doc: Document) -> PrintOutcome:
        path = _keep(self.keep_folder, doc)
        try:
            with self.device.open("wb") as fh:
                fh.write(escpos_bytes(doc, self.encoding))
        except OSError as exc:
            return PrintOutcome(False, path, f"{self.device}: {exc.strerror or exc}")
        return PrintOutcome(True, path, f"sent to {self.device}")

    def probe(self) -> tuple[bool, str]:
        exists = self.device.exists()
        return exists, f"{self.device} {'present' if exists else 'missing'}"
