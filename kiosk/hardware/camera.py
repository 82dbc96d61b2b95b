"""Cameras: a live preview frame for the screen and a full-resolution capture to scan.

``VirtualCamera`` plays images from a folder (the scan pipeline's virtual source); a
script or a test *places* a document on it, as a resident would lay paper under a real
document camera. ``OpenCvCamera`` opens a webcam or document camera by index.

A capture is a :class:`Still`, a file, not pixels: the scan worker reads it itself, so
the app never holds (nor pickles) a full-resolution image, and with a virtual camera
the app needs no numpy at all (~17 MB resident).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # OpenCV and numpy load with the first frame, not with the kiosk (launch time)
    import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp"}


@dataclass(frozen=True)
class Still:
    """A captured frame as a file: an image scaled down to ``fit`` when read, or a raw
    ``.npy`` frame. ``owned``: a file made for this capture, deleted once read."""

    path: Path
    fit: tuple[int, int] | None = None
    owned: bool = False


def read_still(still: Still | np.ndarray) -> np.ndarray | None:
    """The still's pixels as a BGR array (in the scan worker); an owned file is deleted."""
    if not isinstance(still, Still):
        return still  # already pixels (tests, a caller with an array)
    try:
        if still.path.suffix == ".npy":
            import numpy as np

            return np.load(still.path)
        return read_bgr(still.path, still.fit)
    finally:
        if still.owned:
            still.path.unlink(missing_ok=True)


class Camera(Protocol):
    def preview(self) -> Still | np.ndarray | None: ...

    def capture(self) -> Still | None: ...

    def probe(self) -> tuple[bool, str]: ...

    def close(self) -> None: ...


class VirtualCamera:
    """Frames from image files: the one placed last, else the folder's images in turn."""

    def __init__(self, folder: Path, size: tuple[int, int] | None = None) -> None:
        self.folder = Path(folder)
        self.size = size  # the camera's resolution: a larger image is scaled down to fit
        self.folder.mkdir(parents=True, exist_ok=True)
        self._placed: Path | None = None
        self._index = 0
        self._shown: Still | None = None  # the same object while the same paper lies there
        self._lock = threading.Lock()

    def place(self, path: Path | None) -> None:
        """Lay a document on the virtual plate (None: take it away)."""
        with self._lock:
            self._placed = Path(path) if path else None

    def _files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)

    def _current(self) -> Path | None:
        if self._placed is not None:
            return self._placed
        files = self._files()
        return files[self._index % len(files)] if files else None

    def _still(self, path: Path | None) -> Still | None:
        if path is None or not path.is_file():
            return None
        if self._shown is None or self._shown.path != path:
            self._shown = Still(path, self.size)
        return self._shown

    def preview(self) -> Still | None:
        with self._lock:
            return self._still(self._current())

    def capture(self) -> Still | None:
        with self._lock:
            still = self._still(self._current())
            if self._placed is None:
                self._index += 1
            return still

    def probe(self) -> tuple[bool, str]:
        path = self._current()
        return True, f"virtual camera: {path.name if path else 'nothing placed'} ({self.folder})"

    def close(self) -> None:
        self._shown = None


def read_bgr(path: Path, fit: tuple[int, int] | None = None) -> np.ndarray | None:
    """An image file as a BGR array (what OpenCV would read), scaled down to fit ``fit``.

    Pillow, not OpenCV: OpenCV costs the kiosk app ~50 MB of resident libraries, and
    with a virtual camera nothing else in the app needs it (the scan worker has its own).
    """
    import numpy as np
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")  # as cv2.imread turns it
    except OSError:
        return None
    if fit:
        scale = min(fit[0] / image.width, fit[1] / image.height)
        if scale < 1:
            new = (round(image.width * scale), round(image.height * scale))
            image = image.resize(new, Image.Resampling.BOX)  # area averaging, like INTER_AREA
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


class OpenCvCamera:
    """A USB webcam or document camera through OpenCV, opened lazily and reopened on error."""

    def __init__(self, index: int, width: int, height: int, capture_dir: Path | None = None) -> None:
        self.index, self.width, self.height = index, width, height
        self.capture_dir = Path(capture_dir) if capture_dir else None  # default: the temp folder
        self._cap: Any = None  # cv2.VideoCapture
        self._lock = threading.Lock()

    def _open(self) -> Any:
        import cv2

        if self._cap is not None and self._cap.isOpened():
            return self._cap
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            return None
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        self._cap = cap
        return cap

    def _grab(self) -> np.ndarray | None:
        with self._lock:
            cap = self._open()
            if cap is None:
                return None
            ok, frame = cap.read()
            if not ok:
                cap.release()
                self._cap = None
                return None
            return frame

    def preview(self) -> np.ndarray | None:
        return self._grab()

    def capture(self) -> Still | None:
        """The frame as a raw ``.npy`` file the scan worker reads and deletes (fast to
        write, lossless); the app drops its pixels at once."""
        import tempfile

        import numpy as np

        frame = self._grab()
        if frame is None:
            return None
        folder = self.capture_dir or Path(tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"capture-{uuid.uuid4().hex}.npy"
        np.save(path, frame)
        return Still(path, owned=True)

    def probe(self) -> tuple[bool, str]:
        frame = self._grab()
        if frame is None:
            return False, f"camera {self.index} not available"
        return True, f"camera {self.index}: {frame.shape[1]}x{frame.shape[0]}"

    def close(self) -> None:
        """Release the device; captures nobody read (a worker that died) are deleted."""
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            if self.capture_dir is not None and self.capture_dir.is_dir():
                for left in self.capture_dir.glob("capture-*.npy"):
                    left.unlink(missing_ok=True)
