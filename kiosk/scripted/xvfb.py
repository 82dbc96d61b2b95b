"""A private X server (Xvfb) for running the kiosk where there is no display."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass


class NoXvfb(RuntimeError):
    pass


@dataclass
class Xvfb:
    display: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_xvfb(width: int = 1920, height: int = 1080) -> Xvfb:
    """Start Xvfb on a free display number (it picks one and reports it via -displayfd)."""
    if not shutil.which("Xvfb"):
        raise NoXvfb("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise NoXvfb("Xvfb did not start")
    return Xvfb(f":{number}", process)
