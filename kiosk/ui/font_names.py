"""Which face of a font collection draws Chinese the way Chinese readers write it.

A CJK collection (Noto Sans CJK's ``.ttc``) holds one face per region; face 0 is the
Japanese one, so SDL_ttf and Pillow, which open face 0 unless told otherwise, draw Han
characters such as 直 骨 底 画 in Japanese shapes. :func:`chinese_face` reads the faces'
family names from the file's ``name`` tables (a few KB, no font library loaded) and
picks the Simplified Chinese face.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

FAMILY, TYPOGRAPHIC_FAMILY = 1, 16
WINDOWS, UNICODE_BMP, US_ENGLISH = 3, 1, 0x409
SIMPLIFIED = {"SC", "CN"}  # how Noto / Source Han and AR PL name their mainland faces
REGIONAL = {"JP", "KR", "TC", "HK", "TW"}


def _table(read, directory: int, tag: bytes) -> tuple[int, int] | None:
    """(offset, length) of the table ``tag`` in the face whose directory is at ``directory``."""
    (count,) = struct.unpack(">H", read(directory + 4, 2))
    records = read(directory + 12, 16 * count)
    for i in range(count):
        name, _checksum, offset, length = struct.unpack_from(">4sIII", records, 16 * i)
        if name == tag:
            return offset, length
    return None


def _family(names: bytes) -> str:
    """The English (Windows, US) typographic family name, else the plain family name."""
    _format, count, strings = struct.unpack_from(">HHH", names, 0)
    found: dict[int, str] = {}
    for i in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(">6H", names, 6 + 12 * i)
        if (platform, encoding, language) == (WINDOWS, UNICODE_BMP, US_ENGLISH) and name_id in (
            FAMILY,
            TYPOGRAPHIC_FAMILY,
        ):
            found[name_id] = names[strings + offset : strings + offset + length].decode("utf-16-be")
    return found.get(TYPOGRAPHIC_FAMILY) or found.get(FAMILY, "")


@lru_cache(maxsize=8)
def family_names(path: str) -> tuple[str, ...]:
    """The family name of every face in the font file ``path``, in face-index order."""
    with Path(path).open("rb") as f:

        def read(offset: int, size: int) -> bytes:
            f.seek(offset)
            got = f.read(size)
            if len(got) != size:
                raise ValueError(f"{path} is not a font file: truncated at byte {offset}")
            return got

        head = read(0, 12)
        offsets = [0]  # a single face: its table directory starts the file
        if head[:4] == b"ttcf":  # a collection: a directory per face
            (count,) = struct.unpack_from(">I", head, 8)
            offsets = list(struct.unpack(f">{count}I", read(12, 4 * count)))
        families = []
        for directory in offsets:
            table = _table(read, directory, b"name")
            families.append(_family(read(*table)) if table else "")
    return tuple(families)


@lru_cache(maxsize=8)
def chinese_face(path: str) -> int:
    """Index of the Simplified Chinese face of ``path`` (a family named "… SC" or "… CN",
    not the monospaced one); 0 for a font with a single set of shapes (Droid Sans Fallback).
    A collection of regional faces without a Simplified Chinese one is an error: it
    would draw Chinese in another region's shapes."""
    families = family_names(path)
    for index, family in enumerate(families):
        words = family.split()
        if SIMPLIFIED & set(words) and "Mono" not in words:
            return index
    regional = [f for f in families if REGIONAL & set(f.split())]
    if regional:
        raise ValueError(f"{path} has regional faces {families} but no Simplified Chinese (SC) one")
    return 0
