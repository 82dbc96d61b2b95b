"""PDF forms rendered in a short-lived child process, so ReportLab stays out of the app.

ReportLab and the form layouts cost the kiosk app ~9 MB resident for its whole life,
for a few prints per visit; a child started per print (~0.4 s of CPU, the resident is
waiting for paper anyway) gives it all back when it exits. Run as
``python -m kiosk.visit.render_child KIND``: the form pickled on stdin, ``(pdf, lines)``
pickled on stdout (a trusted parent on the same machine).
"""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
from typing import Any

# kind → (module, PDF renderer, text-lines function for thermal printers)
RENDERERS = {
    "receipt": ("shared_schema.render.receipt_notice", "render_receipt_notice", "receipt_lines"),
    "correction": ("shared_schema.render.correction_notice", "render_correction_notice", "correction_lines"),
    "guide": ("shared_schema.render.guide", "render_guide", "guide_lines"),
    "supplement": (
        "shared_schema.render.supplement_receipt",
        "render_supplement_receipt",
        "supplement_lines",
    ),
    "feedback": ("shared_schema.render.feedback_slip", "render_feedback_slip", "feedback_slip_lines"),
}
TIMEOUT_S = 120


class RenderFailed(RuntimeError):
    """The child could not render the form (its error text is the message)."""


def render(kind: str, form: Any) -> tuple[bytes, list[str]]:
    """The form's PDF and text lines, rendered in a child process."""
    if kind not in RENDERERS:
        raise ValueError(f"unknown form {kind!r}")
    done = subprocess.run(
        [sys.executable, "-m", __name__, kind],
        input=pickle.dumps(form),
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RenderFailed(done.stderr.decode("utf-8", "replace")[-800:])
    pdf, lines = pickle.loads(done.stdout)
    return pdf, lines


def render_here(kind: str, form: Any) -> tuple[bytes, list[str]]:
    module_name, pdf_name, lines_name = RENDERERS[kind]
    module = importlib.import_module(module_name)
    return getattr(module, pdf_name)(form), list(getattr(module, lines_name)(form))


def main(argv: list[str]) -> int:
    form = pickle.load(sys.stdin.buffer)
    result = render_here(argv[0], form)
    sys.stdout.buffer.write(pickle.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
