"""适老化 without a window: the pinyin input's table, the life-situation tiles, plain
words beside jargon, the accessibility mode's voice, and Chinese line breaking.

The Kivy side (tiles, pads, pager, the mode's header button) runs in the end-to-end visit
(``test_visit_e2e.py``): a name typed on the pinyin pad reaches the server's record.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.hardware import build_devices, load_profile
from kiosk.hardware.voice import NoVoice, RecordingVoice
from kiosk.ui.paging import split_pages
from kiosk.ui.wrap import wrap
from kiosk.visit import ime
from kiosk.visit.plain_words import explain
from kiosk.visit.search import CatalogSearch
from kiosk.visit.situations import OTHER, SITUATIONS, situations, takes
from shared_schema import FrequencyTier


@pytest.mark.parametrize(
    ("letters", "first"),
    [("zhang", "张"), ("wang", "王"), ("li", "李"), ("liu", "刘"), ("chen", "陈"), ("zhao", "赵"),
     ("ming", "明"), ("hua", "华"), ("feng", "凤")],
)  # fmt: skip
def test_common_name_characters_come_first(letters, first):
    assert ime.candidates(letters)[0] == first


def test_every_character_of_common_names_can_be_typed():
    """Each character is among the first candidates of its syllable (three pages of 11 keys)."""
    names = ("张伟", "王秀英", "李娜", "刘洋", "陈静", "杨帆", "赵丽华", "黄志强", "周婧", "冯涛", "吕晓梅")
    for name in names:
        for ch in name:
            syllable = ime.syllable_of(ch)
            assert ch in ime.candidates(syllable)[:33], (name, ch, syllable)


def test_syllables_typed_in_one_go_are_taken_one_at_a_time():
    assert ime.split_first("zhangsan") == ("zhang", "san")
    assert ime.candidates("zhangsan")[0] == "张"
    assert ime.pick("zhangsan", "张") == "san"
    assert ime.split_first("xian") == ("xian", "")  # a whole syllable is not split into xi + an
    assert ime.split_first("lv") == ("lv", "") and "吕" in ime.candidates("lv")[:3]  # ü typed as v
    # an unfinished syllable shows the characters of every syllable it starts
    zh = ime.candidates("zh")
    assert {"张", "赵", "周"} <= set(zh[:30])
    assert ime.candidates("") == [] and ime.candidates("ylbx") == []  # initials: for the search


def test_the_table_is_small_and_offline():
    assert ime.TABLE.stat().st_size < 64_000
    table = ime.table()
    assert len(table) > 390 and sum(map(len, table.values())) > 6763  # GB 2312 and name characters
    with pytest.raises(KeyError):
        ime.syllable_of("A")


def test_every_offered_matter_sits_in_a_tile(catalog):
    offered = CatalogSearch(catalog).offered()
    tiles = situations(offered)
    placed = {m.code for _s, matters in tiles for m in matters}
    assert placed == {m.code for m in offered}
    keys = [s.key for s, _m in tiles]
    assert keys[:3] == ["social", "medical", "identity"] and OTHER.key not in keys  # all taken by the table
    for situation, matters in tiles:
        assert matters, situation.key
        tiers = [list(FrequencyTier).index(m.frequency) for m in matters]
        assert tiers == sorted(tiers), situation.key  # high-frequency matters first
    by_key = {s.key: [m.name for m in ms] for s, ms in tiles}
    assert "高龄津贴申领" in by_key["elderly"] and "高龄津贴申领" in by_key["hardship"]
    assert any("残疾" in name for name in by_key["disabled"])
    assert {m.domain for m in offered} <= {d for s in SITUATIONS for d in s.domains}


def test_a_matter_no_tile_takes_lands_in_other(catalog):
    matter = catalog.matters[0].model_copy(update={"domain": "新领域", "name": "某项新业务", "code": "X-1"})
    assert not any(takes(s, matter) for s in SITUATIONS)
    assert situations([matter]) == [(OTHER, [matter])]


def test_jargon_gets_everyday_words():
    found = explain("是否以异地长期居住人员身份备案？")
    assert [term for term, _meaning in found] == ["异地长期居住人员", "备案"]
    assert all(meaning.endswith("。") for _term, meaning in found)
    assert explain("是否因转诊转院到异地就医？")[0][0] == "转诊"
    assert explain("请提交身份证") == []


def test_virtual_profile_voice_records_and_prompts_stay_off(tmp_path: Path):
    devices = build_devices(load_profile("virtual"), tmp_path)
    assert isinstance(devices.voice, NoVoice)  # the profile's prompts are off
    assert isinstance(devices.reader, RecordingVoice)  # the accessibility mode's voice
    devices.reader.say("请把身份证放在读卡区")
    devices.reader.say("")
    assert list(devices.reader.said) == ["请把身份证放在读卡区"]
    kiosk = build_devices(load_profile("zt-kiosk-a4"), tmp_path)
    assert kiosk.voice is kiosk.reader  # prompts on: the same espeak-ng voice


def test_no_line_starts_with_closing_punctuation():
    text = "退休后到外地长期生活（比如去外地跟子女同住），或者长期在外地工作、居住的人。"
    for chars in range(8, 30):
        lines = wrap(text, chars * 28 + 1, "cjk", 28).split("\n")
        assert "".join(lines) == text
        assert all(line[0] not in "，。、）" for line in lines), lines
        assert all(line[-1] != "（" for line in lines), lines
        assert all(len(line) <= chars for line in lines), lines


@given(
    st.lists(st.sampled_from([42, 42, 42, 10, 170]), max_size=60),
    st.integers(min_value=180, max_value=600),
)
def test_guide_pages_end_between_lines_and_lose_nothing(heights, room):
    """Each line or picture row is on exactly one page, in order, whole; a page is as full
    as the next line allows (no half-empty page before more text); no page starts with a gap."""
    gaps = {i for i, h in enumerate(heights) if h == 10}
    pages = split_pages(heights, room, gaps)
    shown = [i for page in pages for i in page]
    assert shown == sorted(shown) and len(shown) == len(set(shown))
    assert set(range(len(heights))) - set(shown) <= gaps  # only gaps at a page's top are dropped
    for n, page in enumerate(pages):
        used = sum(heights[i] for i in page)
        assert used <= room or len(page) == 1
        assert not page or page[0] not in gaps
        if n + 1 < len(pages):
            assert used + heights[pages[n + 1][0]] > room or page[-1] + 1 in gaps
