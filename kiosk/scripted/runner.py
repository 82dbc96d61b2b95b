"""Run the kiosk app embedded under a script and report what happened (as JSON).

Import this module only after :func:`kiosk.app_cmd.prepare_kivy` has set Kivy's
environment and window size: Kivy reads them when first imported.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kivy.base import EventLoop, runTouchApp, stopTouchApp

from ..app import KioskApp
from ..runtime import open_kiosk
from .driver import Driver
from .tree_memory import PeakSampler, TreeMemory, tree_memory


@dataclass
class ScriptReport:
    ok: bool
    script: str
    launch_to_home_ms: float
    transitions_ms: dict[str, float] = field(default_factory=dict)  # tap → drawn, median per kind
    builds_ms: dict[str, float] = field(default_factory=dict)  # tap → built, before the frame
    frame_ms: float = 0.0  # one redraw of a screen at rest: the display's floor under every transition
    rss_mb: float = 0.0  # at the end of the script
    rss_home_mb: float = 0.0  # when Home was first shown, before the warm-up
    rss_warm_mb: float = 0.0  # after the warm-up (Pillow, screen modules loaded)
    rss_settled_mb: float = 0.0  # at the end, after the quiet-moment collection
    tree_peak_mb: dict[str, float] = field(default_factory=dict)  # app + scan worker, during the script
    tree_settled_mb: dict[str, float] = field(default_factory=dict)  # the same at the end (worker stopped)
    llvm_settled_mb: float = 0.0  # of the app's settled RSS, Mesa's libLLVM (software GL under Xvfb)
    scan_workers: int = 0  # scan worker processes started during the script
    kept: dict[str, Any] = field(default_factory=dict)  # what the app still holds at the end (memory)
    faults: dict[str, Any] = field(default_factory=dict)  # the ``faults`` script's findings
    return_path: dict[str, Any] = field(default_factory=dict)  # the ``return`` script's findings
    feedback: dict[str, Any] = field(default_factory=dict)  # the ``feedback`` script's findings
    screenshots: list[str] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    status_lines: list[str] = field(default_factory=list)
    typed_status_lines: list[str] = field(default_factory=list)
    handover_message: str = ""  # the assist screen's words after the demo's hand-over
    header_links: list[str] = field(default_factory=list)  # online/offline as the header said
    voice_said: list[str] = field(default_factory=list)  # what the profile's voice said (virtual: recorded)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_script(
    home: Path, profile: str, script: str, shots: Path | None, launched_at: float, *, sync: bool = True
) -> ScriptReport:
    """Start the app, run ``script`` (``demo``, ``faults`` or ``launch``), stop; never leaves a
    window open.

    ``sync``: run the background sync worker (an enrolled kiosk); off for demo identities.
    """
    ctx = open_kiosk(home, profile, start_sync=sync, sync_interval=5.0)
    ready: list[float] = []
    app = KioskApp(ctx, on_ready=lambda _app: ready.extend((time.perf_counter(), rss_mb())))
    report = ScriptReport(ok=False, script=script, launch_to_home_ms=0.0)
    try:
        app._run_prepare()
        runTouchApp(embedded=True)
        driver = Driver(app, shots)
        driver.wait(lambda: bool(ready), 30, "the home screen")
        report.launch_to_home_ms = (ready[0] - launched_at) * 1000
        report.rss_home_mb = round(ready[1], 1)
        driver.wait(app.warm.is_set, 60, "the warm-up")  # a resident takes longer to walk up
        report.rss_warm_mb = round(rss_mb(), 1)
        if script == "faults":
            from .faults import run_faults
            from .papers import load_demo_papers

            report.faults = asdict(run_faults(driver, load_demo_papers(home / "demo-papers")))
        elif script == "demo":
            from .papers import load_demo_papers  # drawn in a child process before the launch
            from .visits import run_demo

            papers = load_demo_papers(home / "demo-papers")
            with PeakSampler() as sampler:
                result = run_demo(driver, papers)
            report.tree_peak_mb = _mb(sampler.peak)
            report.receipts = [
                {
                    **asdict(v),
                    "receipt_pdf": str(v.receipt_pdf or ""),
                    "correction_pdf": str(v.correction_pdf or ""),
                }
                for v in result.visits
            ]
            report.status_lines = result.status_lines
            report.typed_status_lines = result.typed_status_lines
            report.handover_message = result.handover_message
        elif script == "return":
            from .papers import load_demo_papers
            from .return_path import run_return

            report.return_path = asdict(run_return(driver, load_demo_papers(home / "demo-papers")))
        elif script == "feedback":
            from .feedback import run_feedback

            report.feedback = asdict(run_feedback(driver))
        else:
            driver.shot("home")
        report.transitions_ms = _median_by_kind(driver.transitions_ms)
        report.builds_ms = _median_by_kind(driver.builds_ms)
        report.frame_ms = driver.frame_time()
        report.screenshots = [str(p) for p in driver.screenshots]
        report.header_links = sorted(driver.header_links)
        report.voice_said = list(getattr(app.ctx.devices.reader, "said", []))
        report.rss_mb = round(rss_mb(), 1)
        app.collector.dirty = True
        app.collector.tick(force=True)
        report.rss_settled_mb = round(rss_mb(), 1)
        scanner = app.ctx.scanner
        driver.wait(lambda: getattr(scanner, "pid", lambda: None)() is None, 15, "the scan worker to stop")
        report.tree_settled_mb = _mb(tree_memory())
        report.llvm_settled_mb = round(mapped_rss_mb("libLLVM"), 1)
        report.scan_workers = getattr(scanner, "started", 0)
        report.kept = kept_after(app)
        report.ok = True
    except Exception as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(Exception):  # a failure screenshot is a bonus, never a second error
            report.screenshots.append(str(Driver(app, shots).shot("failure")) if shots else "")
    finally:
        app.stop()
        stopTouchApp()
        EventLoop.close()
    return report


# the scan worker's and the PDF renderer's, never the app's (numpy still comes with the
# completeness check's ``kiosk.scan.types``); nor Alembic (a new database is made without
# it: ~12 MB), pypinyin (~58 MB: the pinyin pad reads a small table) or a test framework
# pulled in by a script's helper (kivy.tests brings pytest: ~13 MB in the measured app)
HEAVY_MODULES = (
    *("cv2", "numpy", "onnxruntime", "rapidocr", "kiosk.scan.pipeline", "reportlab"),
    *("alembic", "pypinyin", "pytest"),
)


def kept_after(app: KioskApp) -> dict[str, Any]:
    """What the app holds once the visits are over, for tests of its memory: the screens
    still built, modules that belong in the scan worker, and labels that kept their
    rendered pixels beside their texture; and how it got there (collections while the
    resident waited, screens built ahead)."""
    import gc
    import sys

    from kivy.uix.label import Label

    from ..ui import theme
    from ..ui.faces import open_faces

    labels = [w for w in gc.get_objects() if issubclass(type(w), Label)]  # no isinstance: dead weak proxies
    return {
        "screens": [screen.name for screen in app.manager.screens],
        "heavy_modules": [name for name in HEAVY_MODULES if name in sys.modules],
        "label_surfaces": sum(getattr(w._label, "_surface", None) is not None for w in labels),
        "labels": len(labels),
        "font_faces": sorted(open_faces(theme.register_font())),  # (size, bold) of the CJK font, open now
        "collected_while_waiting": app.collector.while_waiting,  # full collections during slow work
        "entered_prepared": app.entered_prepared,  # steps whose screen was built before the tap
        "cached_files": sorted(_cached_files()),  # images and textures Kivy still caches by file
    }


def _cached_files() -> set[str]:
    """The files behind Kivy's image and texture caches (a page or its thumbnail among them
    would keep a resident's papers in memory after the visit)."""
    from kivy.cache import Cache

    return {
        str(key).split("|")[0]
        for category in ("kv.image", "kv.texture", "kv.loader")
        for key in getattr(Cache, "_objects", {}).get(category, {})
    }


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mapped_rss_mb(library: str) -> float:
    """Resident memory of this process's mappings of ``library`` (``/proc/self/smaps``):
    llvmpipe's libLLVM is in every measure under Xvfb, and a kiosk's GPU driver may not
    load it; 0 where there is no smaps."""
    total_kb, inside = 0, False
    try:
        lines = Path("/proc/self/smaps").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):  # a mapping's first line
            inside = library in (head[5] if len(head) > 5 else "")
        elif inside and head[0] == "Rss:":
            total_kb += int(head[1])
    return total_kb / 1024


def _mb(memory: TreeMemory) -> dict[str, float]:
    return {
        "rss": round(memory.rss_mb, 1),
        "pss": round(memory.pss_mb, 1),
        "processes": memory.processes,
        "app_rss": round(memory.app_rss_mb, 1),
    }


def _median_by_kind(samples: list[tuple[str, float]]) -> dict[str, float]:
    by: dict[str, list[float]] = {}
    for name, ms in samples:
        by.setdefault(name, []).append(ms)
    return {name: round(sorted(v)[len(v) // 2], 1) for name, v in by.items()}
