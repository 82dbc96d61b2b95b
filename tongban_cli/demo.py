"""``make demo``: show what tongban does, end to end, with embedded defaults.

Grows with the project: today it loads and prints the 晋城市 demo catalog.
"""

from __future__ import annotations

import sys

from click.testing import CliRunner

from .main import cli


def main() -> int:
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "catalog"])
    sys.stdout.write(result.output)
    return result.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
