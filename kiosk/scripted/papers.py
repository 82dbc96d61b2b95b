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
    """The receipt's QR code held, slightly turned, under the camera at the status screen.

    Drawn with Pillow: this runs in the kiosk's process, where OpenCV is not loaded.
    """
    import numpy as np
    import segno
    from PIL import Image

    dark = np.array([list(row) for row in segno.make(receipt_no, error="m").matrix], dtype=bool)
    code = Image.fromarray(np.pad(np.where(dark, 0, 255).astype(np.uint8), 4, constant_values=255), "L")
    code = code.resize((code.width * 12, code.height * 12), Image.Resampling.NEAREST)
    frame = Image.new("L", (1600, 1200), 110)  # a grey desk
    frame.paste(code, ((1600 - code.width) // 2, (1200 - code.height) // 2))
    frame = frame.rotate(3.0, resample=Image.Resampling.BILINEAR, fillcolor=110)
    noise = np.random.default_rng(7).normal(0, 2.0, (1200, 1600)).astype(np.int16)
    noisy = np.asarray(frame, np.int16) + noise
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L").convert("RGB").save(path, quality=95)
    return path
