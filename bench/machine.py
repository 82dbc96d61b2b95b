"""The machine a benchmark ran on: numbers mean little without it."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ram_gb() -> float:
    try:
        import psutil

        return psutil.virtual_memory().total / 2**30
    except ImportError:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).splitlines()[0].split()[-1]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not installed"


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


PACKAGES = ("numpy", "opencv-python-headless", "Pillow", "pytesseract", "rapidocr", "onnxruntime",
            "zxing-cpp", "pyzbar")  # fmt: skip


def describe() -> str:
    """A Markdown block: CPU, cores, RAM, OS, Python, Tesseract and package versions."""
    versions = ", ".join(f"{k} {v}" for k, v in package_versions(PACKAGES).items())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores; RAM {ram_gb():.1f} GB",
            f"- OS: {platform.platform()}; Python {platform.python_version()}",
            f"- Tesseract {tesseract_version()}; {versions}",
            f"- Load average when the run started: {load} (other jobs share this machine)",
        ]
    )
