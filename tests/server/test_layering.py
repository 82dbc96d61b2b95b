"""The arrows between layers point one way: the UI builds on the core, never the reverse.

Read from the source with :mod:`ast` (every ``import``, relative ones resolved), so a
function-local import counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("sync_server", "kiosk", "shared_schema", "tongban_cli")
# Composition roots: they assemble the workspace into the app, the CLI and Alembic's metadata.
WORKSPACE_ROOTS = {"sync_server/app.py", "sync_server/cli.py", "sync_server/migrations/env.py"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def importers_of(target: str, files: list[Path]) -> list[str]:
    return sorted(
        str(p.relative_to(ROOT))
        for p in files
        if any(m == target or m.startswith(target + ".") for m in imported_modules(p))
    )


def test_the_checker_sees_relative_and_local_imports(tmp_path: Path) -> None:
    """The check must not pass for want of seeing an import (it resolves ``..`` and finds
    imports inside functions)."""
    assert "sync_server/app.py" in importers_of("sync_server.workspace", sources("sync_server"))
    found = imported_modules(ROOT / "sync_server/ingest.py")
    assert "sync_server.id_lookup" in found and "sync_server.blobs.held_blobs" in found
    assert "sync_server.auth_cache.forget" in imported_modules(ROOT / "sync_server/enrollment.py")


UI_PACKAGES = ("sync_server/workspace/", "sync_server/online/")  # staff pages, residents' pages


def test_the_core_never_imports_the_workspace() -> None:
    outside = [p for p in sources(*PRODUCT) if not any(ui in p.as_posix() for ui in UI_PACKAGES)]
    offenders = set(importers_of("sync_server.workspace", outside)) - WORKSPACE_ROOTS
    assert not offenders, f"core modules importing the workspace UI: {sorted(offenders)}"
    online_importers = set(importers_of("sync_server.online", outside)) - WORKSPACE_ROOTS
    assert not online_importers, f"core modules importing the online pages: {sorted(online_importers)}"


def test_kiosk_authentication_has_one_code_path() -> None:
    """Only ``kiosk_auth`` reads kiosk credentials off a request; every blueprint uses it."""
    readers = [
        str(p.relative_to(ROOT))
        for p in sources("sync_server")
        if "parse_auth_header" in p.read_text(encoding="utf-8")
    ]
    assert readers == ["sync_server/kiosk_auth.py"]
    users = importers_of("sync_server.kiosk_auth", sources("sync_server"))
    assert {"sync_server/api/io.py", "sync_server/workspace/kiosk_results.py"} <= set(users)


def test_the_scan_pipeline_never_imports_its_synthetic_test_pages() -> None:
    """``kiosk.scan.synth`` draws test pages; the pipeline that runs on a kiosk must not need it."""
    pipeline = [p for p in sources("kiosk/scan") if "/synth/" not in p.as_posix()]
    assert not importers_of("kiosk.scan.synth", pipeline)
