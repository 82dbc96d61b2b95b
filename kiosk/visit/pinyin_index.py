"""Pinyin of the catalog's names, worked out once per catalog, in a child process.

pypinyin's dictionaries cost the process that loads them about 58 MB and 200,000
Python objects for as long as it lives (slower garbage collections in every screen
change). The kiosk only needs the pinyin of a few hundred catalog words, so a child
process computes them and the answer is cached as JSON, keyed by the words themselves.
When the child cannot run, the words are computed here (correct, only heavier).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NON_ALNUM = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
Columns = dict[str, tuple[str, str]]  # text → (initials, full pinyin)


def normalise(text: str) -> str:
    return NON_ALNUM.sub("", text.lower())


def compute(texts: list[str]) -> Columns:
    """In this process: 养老保险 → ("ylbx", "yanglaobaoxian"); other characters kept."""
    from pypinyin import Style, lazy_pinyin

    return {
        t: (
            "".join(lazy_pinyin(normalise(t), style=Style.FIRST_LETTER)),
            "".join(lazy_pinyin(normalise(t))),
        )
        for t in texts
    }


def _in_child(texts: list[str]) -> Columns:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.visit.pinyin_index"],
        input=json.dumps(texts, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {k: (v[0], v[1]) for k, v in json.loads(done.stdout).items()}


def columns(texts: list[str], cache_dir: Path) -> Columns:
    """Pinyin for ``texts``, from the cache, else from a child process (then cached)."""
    words = sorted(set(texts))
    key = hashlib.sha256("\n".join(words).encode()).hexdigest()[:24]
    path = Path(cache_dir) / f"pinyin-{key}.json"
    try:
        return {k: (v[0], v[1]) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    try:
        found = _in_child(words)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("pinyin child process failed (%s); computing in the kiosk process", exc)
        found = compute(words)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.info("pinyin cache not written (%s)", exc)
    return found


if __name__ == "__main__":
    sys.stdout.write(json.dumps(compute(json.loads(sys.stdin.read())), ensure_ascii=False))
