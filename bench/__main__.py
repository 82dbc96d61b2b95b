"""Run the benchmarks and update BENCHMARKS.md: ``python -m bench [name ...]``.

Each benchmark's section sits between markers, so running one benchmark replaces only
its own section and keeps the others' last results.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time
from pathlib import Path

import bench

from .machine import describe

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
NOT_BENCHMARKS = {"machine"}
HEADER = "# Benchmarks\n\nWritten by `make bench` (`python -m bench`); do not edit by hand.\n"


def available() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if not m.name.startswith("_") and m.name not in NOT_BENCHMARKS
    )


def sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, flags=re.S))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    machine = describe()
    fresh: dict[str, str] = {}
    partial: list[str] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            continue
        why = module.partial() if hasattr(module, "partial") else None
        if why:
            partial.append(f"{name} ({why})")
        print(f"== {name} …", flush=True)
        started = time.perf_counter()
        fresh[name] = module.run().rstrip() + f"\n\n_{name}: {time.perf_counter() - started:.0f} s._\n"
    if partial:  # not the reported sets: the report is for the terminal, not BENCHMARKS.md
        print("\n\n".join(fresh.values()))
        print(f"not written to {OUT.name}: not the reported set: {', '.join(partial)}")
        return 0
    # read what is there only now: another benchmark may have finished while this one ran
    kept = sections(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    kept.update(fresh)
    body = [HEADER, "## Machine\n", machine, ""]
    for name in sorted(kept):
        body += [f"<!-- bench:{name} -->", kept[name].rstrip(), f"<!-- /bench:{name} -->", ""]
    OUT.write_text("\n".join(body), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
