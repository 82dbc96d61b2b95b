"""``tongban --help`` and ``tongban schema …`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from shared_schema import Catalog
from tongban_cli.main import cli

GROUPS = ("server", "kiosk", "scan", "schema")


def test_help_lists_the_four_groups() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Command groups" in result.output
    for group in GROUPS:
        assert f"  {group} " in result.output, group


def test_installed_console_script_help() -> None:
    """The real entry point, in a fresh interpreter, as ``tongban --help``."""
    script = Path(sys.executable).with_name("tongban")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tongban_cli.main"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert all(group in done.stdout for group in GROUPS)


def test_schema_catalog_prints_matters_by_tier(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--home", str(tmp_path), "catalog"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("晋城市 市域通办事项清单 2024.06.01 (24 matters")
    tiers = [line.split()[1] for line in lines[1:]]
    assert tiers == sorted(tiers, key=["high", "medium", "low"].index)
    assert any("JC-SC-001" in line and "个体工商户设立登记" in line for line in lines)


def test_schema_catalog_json_is_the_catalog(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--home", str(tmp_path), "catalog", "--json"])
    assert result.exit_code == 0, result.output
    catalog = Catalog.parse(json.loads(result.output))
    assert catalog.matter("JC-GJJ-001").handling_mode.value == "city_level"


def test_schema_catalog_bad_folder_fails_with_problems(catalog_copy: Path, tmp_path: Path) -> None:
    matter = catalog_copy / "matters" / "JC-WJ-001.yaml"
    matter.write_text(matter.read_text(encoding="utf-8").replace("frequency: high", "frequency: often"))
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "catalog", "--path", str(catalog_copy), "--json"])
    assert result.exit_code == 2
    body = json.loads(result.output)
    assert body["problems"][0]["path"] == "JC-WJ-001.yaml [matter JC-WJ-001] frequency"
    assert body["error"] == "schema_error"
    assert "JC-WJ-001.yaml [matter JC-WJ-001] frequency" in body["message"]
    plain = runner.invoke(cli, ["schema", "catalog", "--path", str(catalog_copy)])
    assert plain.exit_code == 1
    assert "JC-WJ-001.yaml [matter JC-WJ-001] frequency" in plain.output
