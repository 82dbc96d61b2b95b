"""What keeps launch fast and memory low: the catalog snapshot, the pinyin cache, the
quiet garbage collector, the page media type the server checks."""

from __future__ import annotations

import gc
import io
import json
import weakref

from PIL import Image

from kiosk import catalog_snapshot
from kiosk.quiet_gc import QuietCollector
from kiosk.visit.pinyin_index import columns
from kiosk.visit.scan_adapter import media_type
from kiosk.visit.search import CatalogSearch
from shared_schema import load_catalog


def test_catalog_snapshot_matches_the_yaml_and_survives_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("TONGBAN_CACHE_DIR", str(tmp_path))
    fresh = catalog_snapshot.packaged_catalog_fast()  # no snapshot yet: YAML, then written
    (snapshot,) = tmp_path.glob("catalog-*.json")
    assert catalog_snapshot.packaged_catalog_fast() == fresh == load_catalog()
    key, _nl, _body = snapshot.read_bytes().partition(b"\n")
    snapshot.write_bytes(key + b"\n{not json")  # damaged: read the YAML again, rewrite
    assert catalog_snapshot.packaged_catalog_fast() == fresh
    snapshot.write_bytes(b"stale-key\n" + fresh.model_dump_json().replace("晋城", "X城").encode())
    assert catalog_snapshot.packaged_catalog_fast() == fresh  # another key: never used
    assert snapshot.read_bytes().startswith(key)


def test_pinyin_columns_come_from_the_cache_after_the_first_time(tmp_path, catalog):
    found = columns(["养老保险", "不动产登记"], tmp_path)
    assert found["养老保险"] == ("ylbx", "yanglaobaoxian")
    (cached,) = tmp_path.glob("pinyin-*.json")
    cached.write_text(json.dumps({"养老保险": ["zz", "zz"], "不动产登记": ["x", "x"]}), encoding="utf-8")
    assert columns(["不动产登记", "养老保险"], tmp_path)["养老保险"] == ("zz", "zz")
    search = CatalogSearch(catalog, tmp_path / "other")
    assert search.search("ylbx")[0].matter.name.startswith("城乡居民基本养老保险")


def test_quiet_collector_waits_for_a_quiet_moment():
    idle = [0.0]
    collector = QuietCollector(lambda: idle[0], quiet_s=3.0)
    thresholds = gc.get_threshold()
    try:
        collector.settle()
        assert gc.get_threshold()[2] >= 100_000 and gc.get_freeze_count() > 0
        collector.changed()
        collector.tick()
        assert collector.dirty  # somebody is at the screen: no pause now
        idle[0] = 5.0
        collector.tick()
        assert not collector.dirty
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


class _Node:
    """A reference cycle, as every Kivy widget is (its properties observe its own methods)."""

    def __init__(self) -> None:
        self.me = self


def test_collector_collects_while_a_resident_waits_even_right_after_a_tap():
    """A fast visit never leaves the screen alone for 3 s: without this the garbage of every
    rebuilt screen piled up until Home (~490,000 objects, ~45 MB of arenas kept after)."""
    collector = QuietCollector(lambda: 0.0, quiet_s=3.0)  # touched just now
    widget, builder = _Node(), {}
    # a dead widget's kv rules held by the live Builder, dropped by a weakref callback
    # during the collection that frees the widget: garbage only for a second pass
    rules = _Node()
    builder["rules"] = rules
    watch = weakref.ref(widget, lambda _r: builder.pop("rules"))
    gone = weakref.ref(rules)
    del widget, rules
    collector.changed()
    collector.tick()
    assert watch() is not None and collector.dirty  # no quiet moment: nothing collected
    collector.waiting()
    assert watch() is None and gone() is None, "one pass left the rules' garbage"
    assert collector.while_waiting == 1 and not collector.dirty


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (8, 8), 200).save(buf, format=fmt)
    return buf.getvalue()


def test_media_type_follows_the_bytes_not_the_file_name():
    assert media_type(_image("WEBP")) == "image/webp"
    assert media_type(_image("PNG")) == "image/png"
    assert media_type(_image("TIFF")) == "image/tiff"
    assert media_type(_image("JPEG")) == "image/jpeg"
