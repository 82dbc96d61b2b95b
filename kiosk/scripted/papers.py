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

    Drawn with Pillow only: this runs in the kiosk's process, where neither OpenCV nor
    numpy is loaded.
    """
    import segno
    from PIL import Image, ImageChops

    matrix = segno.make(receipt_no, error="m").matrix
    code = Image.new("L", (len(matrix[0]) + 8, len(matrix) + 8), 255)  # 4 modules of quiet zone
    code.putdata([0 if dark else 255 for row in _padded(matrix, 4) for dark in row])
    code = code.resize((code.width * 12, code.height * 12), Image.Resampling.NEAREST)
    frame = Image.new("L", (1600, 1200), 110)  # a grey desk
    frame.paste(code, ((1600 - code.width) // 2, (1200 - code.height) // 2))
    frame = frame.rotate(3.0, resample=Image.Resampling.BILINEAR, fillcolor=110)
    noise = Image.effect_noise((1600, 1200), 2.0)  # Gaussian around 128
    noisy = ImageChops.add(frame, noise, 1.0, -128)  # frame + noise - 128, clipped once
    noisy.convert("RGB").save(path, quality=95)
    return path


def _padded(matrix, quiet: int) -> list[list[bool]]:
    width = len(matrix[0]) + 2 * quiet
    blank = [[False] * width for _ in range(quiet)]
    return blank + [[False] * quiet + [bool(v) for v in row] + [False] * quiet for row in matrix] + blank
