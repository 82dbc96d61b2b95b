"""The demo resident's papers as the scripted visit uses them: files and a few facts.

They are drawn by :mod:`kiosk.scripted.documents` in a child process (the drawing code
and its images are the script's, not the kiosk's, and must not count in the kiosk
process's memory); this module only reads what the child left in the folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PERSON_FILE = "person.json"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    phone: str
    address: str


@dataclass
class DemoPapers:
    person: DemoPerson
    files: dict[str, Path]


def make_papers_in_child(folder: Path) -> None:
    """Draw every paper the demo lays under the camera into ``folder`` (once; cached)."""
    subprocess.run([sys.executable, "-m", "kiosk.scripted.documents", str(folder)], check=True, timeout=300)


def load_demo_papers(folder: Path) -> DemoPapers:
    facts = json.loads((folder / PERSON_FILE).read_text(encoding="utf-8"))
    person = DemoPerson(**{k: facts[k] for k in ("name", "id_number", "phone", "address")})
    files = {path.stem: path for path in folder.glob("*.jpg")}
    return DemoPapers(person, files)


def receipt_qr_capture(receipt_no: str, path: Path) -> Path:
    """The receipt's QR code held, slightly turned, under the camera at the status screen."""
    import cv2
    import numpy as np
    import segno

    dark = np.array([list(row) for row in segno.make(receipt_no, error="m").matrix], dtype=bool)
    code = np.pad(np.where(dark, 0, 255).astype(np.uint8), 4, constant_values=255)
    code = cv2.resize(code, None, fx=12, fy=12, interpolation=cv2.INTER_NEAREST)
    frame = np.full((1200, 1600), 110, np.uint8)  # a grey desk
    top, left = (1200 - code.shape[0]) // 2, (1600 - code.shape[1]) // 2
    frame[top : top + code.shape[0], left : left + code.shape[1]] = code
    turn = cv2.getRotationMatrix2D((800, 600), 3.0, 1.0)
    frame = cv2.warpAffine(frame, turn, (1600, 1200), borderValue=110)
    noisy = frame.astype(np.int16) + np.random.default_rng(7).normal(0, 2.0, frame.shape).astype(np.int16)
    cv2.imwrite(str(path), cv2.cvtColor(np.clip(noisy, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR))
    return path
