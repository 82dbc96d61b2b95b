"""Which code reader to trust: zbar (pyzbar) vs zxing-cpp on photographed synthetic codes.

Each payload is printed as a QR code (or Code 128), photographed under each condition
with several seeds, and read by each reader alone and by the merged ``read_codes``; a read
counts only when the decoded text equals the payload.
"""

from __future__ import annotations

import random
import time

from kiosk.scan.codes import READERS, read_codes
from kiosk.scan.synth.codes import barcode_image, photograph, qr_image

CHINESE = "姓名:张三;住址:山西省晋城市泽州县南村镇"
PAYLOADS = {
    "QR ASCII URL": ("https://www.gsxt.gov.cn/corp?uniscid=9314052184669X8YEJ", None),
    "QR UTF-8 Chinese (ECI)": (CHINESE, "utf-8"),
    "QR GB18030 bytes": (CHINESE.encode("gb18030"), None),
    "QR GB2312 bytes": ("晋城市泽州县便民服务中心受理".encode("gb2312"), None),
    "Code 128": ("ZZ-109-20250526-4624", "barcode"),
}
CONDITIONS = {
    "flat": {"tilt": 0.03},
    "tilted 30°": {"tilt": 0.3},
    "low contrast": {"tilt": 0.1, "contrast": 0.25},
    "blurred": {"tilt": 0.1, "blur": 1.3},
    "dim + noisy": {"tilt": 0.15, "contrast": 0.4, "noise": 9.0, "jpeg": 50},
    "steep 40°": {"tilt": 0.4},
    "very blurred": {"tilt": 0.1, "blur": 2.2},
    "faint + blurred": {"tilt": 0.2, "contrast": 0.2, "blur": 1.5, "noise": 6.0, "jpeg": 60},
}
SEEDS = 6


def _image(payload, mode, rng, cond):
    code = barcode_image(payload) if mode == "barcode" else qr_image(payload, 4, mode)
    return photograph(code, rng, **cond)


def measure() -> tuple[dict, dict]:
    """(hits[(payload, condition)][reader] out of SEEDS, total seconds per reader)."""
    hits: dict[tuple[str, str], dict[str, int]] = {}
    seconds = {name: 0.0 for name in [*READERS, "merged"]}
    for pname, (payload, mode) in PAYLOADS.items():
        truth = payload.decode("gb18030") if isinstance(payload, bytes) else payload
        for cname, cond in CONDITIONS.items():
            row = hits.setdefault((pname, cname), dict.fromkeys(seconds, 0))
            for seed in range(SEEDS):
                image = _image(payload, mode, random.Random(f"{pname}{cname}{seed}"), cond)
                for name, reader in READERS.items():
                    t = time.perf_counter()
                    got = [item.code.data for item in reader().read(image)]
                    seconds[name] += time.perf_counter() - t
                    row[name] += truth in got
                t = time.perf_counter()
                row["merged"] += truth in [c.data for c in read_codes(image)]
                seconds["merged"] += time.perf_counter() - t
    return hits, seconds


def run() -> str:
    hits, seconds = measure()
    names = [*READERS, "merged"]
    n_images = len(PAYLOADS) * len(CONDITIONS) * SEEDS
    lines = [
        "## Code readers (zbar vs zxing-cpp)",
        "",
        f"{n_images} photographed synthetic codes ({SEEDS} seeds per cell); a read counts when "
        "the decoded text equals the payload. `merged` is `kiosk.scan.codes.read_codes` "
        "(zxing first, zbar for symbols zxing missed).",
        "",
        "| payload | condition | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for (pname, cname), row in hits.items():
        lines.append(f"| {pname} | {cname} | " + " | ".join(f"{row[n]}/{SEEDS}" for n in names) + " |")
    totals = {n: sum(row[n] for row in hits.values()) for n in names}
    lines.append("| **all** | | " + " | ".join(f"**{totals[n]}/{n_images}**" for n in names) + " |")
    lines += [
        "",
        "Mean time per image: " + ", ".join(f"{n} {1000 * seconds[n] / n_images:.1f} ms" for n in names),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
