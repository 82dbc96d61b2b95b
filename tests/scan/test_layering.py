"""The scan core never imports the synthetic-document generator: synth depends on the
core (its virtual photographer uses ``kiosk/scan/geometry.py``), not the other way round,
so a kiosk image could ship without ``synth/`` and page detection would not notice."""

from __future__ import annotations

import ast
from pathlib import Path

SCAN = Path(__file__).resolve().parents[2] / "kiosk" / "scan"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of what ``path`` imports (relative imports resolved against it)."""
    package = ["kiosk", *path.relative_to(SCAN.parent).parent.parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_core_module_imports_synth():
    core = [p for p in SCAN.rglob("*.py") if "synth" not in p.relative_to(SCAN).parts]
    assert SCAN / "detect.py" in core and SCAN / "geometry.py" in core
    offenders = {
        str(p.relative_to(SCAN)): sorted(n for n in imported_modules(p) if n.startswith("kiosk.scan.synth"))
        for p in core
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_reader_sees_relative_imports():
    """The check above would pass vacuously if relative imports were misread."""
    synth_camera = imported_modules(SCAN / "synth" / "camera.py")
    assert "kiosk.scan.geometry" in synth_camera
    assert "kiosk.scan.geometry" in imported_modules(SCAN / "detect.py")
