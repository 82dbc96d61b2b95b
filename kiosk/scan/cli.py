"""``tongban scan FILE... [--matter CODE] [--engine tesseract|rapidocr] [--out DIR] --json``

Prints ``{"pages": [PageResult.to_dict() ...], "completeness": {...}}`` (completeness only
with ``--matter``, checked against the packaged demo catalog).

Exit status: 0 when the batch ran, even if some files were bad — a bad file (not an
image, truncated, empty, a decompression bomb) is a page with ``ok: false`` and a
problem, so one unreadable photo never hides the results of the others. 2 for a usage
error (unknown matter or engine, no files, a file that does not exist: a mistyped path is
the caller's mistake, not a bad photo, and nothing is scanned).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tongban_cli.common import emit, fail, home_of, home_option, json_option

from .ocr import DEFAULT_ENGINE, ENGINES


def _matter(code: str, as_json: bool):
    from shared_schema import SchemaError, load_catalog

    try:
        return load_catalog().matter(code)
    except KeyError:
        fail(f"unknown matter {code!r} in the demo catalog", as_json, error="unknown_matter")
    except SchemaError as exc:
        fail(f"the demo catalog does not load: {exc}", as_json, error="catalog_invalid")


def _text(result: dict[str, Any]) -> str:
    lines = []
    for page in result["pages"]:
        status = "ok" if page["ok"] else "NOT OK"
        material = (page["material"] or {}).get("code") or "-"
        lines.append(f"{page['source']}: {status}; material {material}; fields {page['fields']}")
        lines += [f"  {p['code']}: {p['message']}" for p in page["problems"]]
    if "completeness" in result:
        done = result["completeness"]
        lines.append("完整" if done["complete"] else "需补正：")
        lines += [f"  - {i['message']}" for i in done["issues"]]
    return "\n".join(lines)


@click.command(name="scan")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--matter", "matter_code", default=None, help="Matter code: classify pages and check completeness."
)
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default=DEFAULT_ENGINE, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where stored page images go (default: <home>/pages).")  # fmt: skip
@home_option("scan")
@json_option
@click.pass_context
def scan(
    ctx: click.Context, files: tuple[str, ...], matter_code: str | None, engine: str, out_dir: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Scan pages: rectify, check quality, OCR, read codes, classify, extract, compress."""
    missing = [f for f in files if not Path(f).exists()]
    if missing:
        fail(f"no such file: {', '.join(missing)}", as_json, error="missing_file", missing=missing)
    from kiosk.memory import tune_malloc

    tune_malloc()  # before the pipeline's worker thread starts: freed pages go back (docs/scanning.md)
    from .completeness import check_completeness
    from .pipeline import Pipeline

    matter = _matter(matter_code, as_json) if matter_code else None
    out = Path(out_dir) if out_dir else home_of(ctx) / "pages"
    out.mkdir(parents=True, exist_ok=True)
    pipe = Pipeline(engine=engine, requirements=list(matter.guide.materials) if matter else [], out_dir=out)
    pages = [page for path in files for page in pipe.process_file(path)]
    result: dict[str, Any] = {"pages": [p.to_dict() for p in pages]}
    if matter:
        grouped: dict[str | None, list] = {}
        for page in pages:
            grouped.setdefault(page.material.code if page.material else None, []).append(page)
        result["completeness"] = check_completeness(matter, grouped).to_json_dict()
    emit(result, as_json, _text)
