"""OCR engines on rendered text, with the Tesseract pitfalls the wrapper must handle."""

from __future__ import annotations

import os

import pytest

from kiosk.scan.ocr import DEFAULT_ENGINE, get_engine, remove_cjk_spaces
from kiosk.scan.ocr.base import OcrEngine
from kiosk.scan.ocr.tesseract import TesseractEngine
from kiosk.scan.synth.metrics import cer
from kiosk.scan.synth.render import mm


def test_cjk_spaces_removed_but_not_between_words():
    assert remove_cjk_spaces("申 请 材 料 接 收 通 知 书") == "申请材料接收通知书"
    assert remove_cjk_spaces("出生 1999 年 5 月") == "出生 1999 年 5 月"
    assert remove_cjk_spaces("name: Zhang San") == "name: Zhang San"
    assert remove_cjk_spaces("姓 名 ： 张 三") == "姓名：张三"


def test_registry():
    assert DEFAULT_ENGINE == "rapidocr"  # chosen by the issue-3 benchmark (docs/scanning.md)
    for name in ("tesseract", "rapidocr"):
        engine = get_engine(name)
        assert isinstance(engine, OcrEngine) and engine.name == name
    with pytest.raises(ValueError, match="tesseract"):
        get_engine("abbyy")


def test_tesseract_config_passes_dpi_and_limits_threads(docs, tesseract):
    page, card = docs["flow_card"].image, docs["id_card_front"].image
    assert "--dpi 200" in tesseract.config(page, 200)
    assert "--psm 4" in tesseract.config(page, 200)  # ruled form: rows of varying size
    assert "--psm 11" in tesseract.config(card, 200)  # card: sparse fields beside a photo
    assert "--psm 7" in tesseract.config(card, 200, single_line=True)
    assert os.environ["OMP_THREAD_LIMIT"] == "1"


def test_tesseract_reads_a_form_page(docs, tesseract):
    doc = docs["application_form"]
    result = tesseract.recognize(doc.image, dpi=200)
    assert result.error is None and result.engine == "tesseract"
    assert cer(doc.text, result.text) < 0.05
    assert "公民身份号码" in result.text  # no spaces left inside Chinese words
    assert 50 < result.confidence <= 100


def test_page_mode_matters_on_sparse_framed_forms(docs):
    """psm 6 (uniform block) garbles ruled tables; the default we chose (4) does not."""
    doc = docs["flow_card"]
    chosen = cer(doc.text, TesseractEngine().recognize(doc.image, dpi=200).text)
    block = cer(doc.text, TesseractEngine(psm=6).recognize(doc.image, dpi=200).text)
    assert chosen < 0.05 and block > 2 * chosen


def test_single_line_mode_on_a_field_crop(docs, tesseract):
    doc = docs["id_card_front"]
    crop = doc.image[mm(42) : mm(49), mm(29) : mm(84)]  # the ID number only
    result = tesseract.recognize(crop, dpi=200, single_line=True)
    assert result.text.replace(" ", "") == doc.fields["id_number"]
    assert len(result.lines) == 1


def test_timeout_is_a_result_not_a_crash(docs):
    result = TesseractEngine(timeout=0.001).recognize(docs["guide_page"].image, dpi=200)
    assert result.error == "timeout" and result.text == "" and result.confidence is None


def test_rapidocr_reads_a_card(docs):
    doc = docs["id_card_front"]
    engine = get_engine("rapidocr")
    result = engine.recognize(doc.image, dpi=200)
    assert result.error is None and result.engine == "rapidocr"
    assert cer(doc.text, result.text) < 0.05
    assert doc.fields["id_number"] in result.text.replace(" ", "")
    crop = doc.image[mm(42) : mm(49), mm(29) : mm(84)]
    assert get_engine("rapidocr").recognize(crop, dpi=200, single_line=True).text == doc.fields["id_number"]


def test_shadowed_page_is_evened_out_before_tesseract(docs, tesseract):
    import numpy as np

    from kiosk.scan.ocr.base import even_out_light, to_gray

    doc = docs["receipt_notice"]
    gray = to_gray(doc.image)
    assert even_out_light(gray) is gray  # evenly lit: untouched
    h, w = gray.shape
    light = np.clip(np.linspace(0.25, 1.1, h)[:, None] * np.ones((1, w)), 0, 1)  # dark top, as under a lamp
    shadowed = (gray * light).astype(np.uint8)
    evened = even_out_light(shadowed)
    assert evened is not shadowed and np.percentile(evened, 50) > 200
    assert cer(doc.text, tesseract.recognize(shadowed, dpi=200).text) < 0.05


def test_in_process_tesseract_reads_as_the_command_does(docs):
    """The C API (model kept loaded) and the ``tesseract`` command give the same text."""
    image = docs["receipt_notice"].image
    api = TesseractEngine().recognize(image, dpi=200)
    cli = TesseractEngine(in_process=False).recognize(image, dpi=200)
    assert TesseractEngine().in_process and api.text == cli.text and api.words


def test_cancelled_run_stops_early(docs, tesseract):
    import threading

    stop = threading.Event()
    stop.set()
    result = tesseract.recognize(docs["guide_page"].image, dpi=200, cancel=stop)
    assert result.error == "cancelled" and result.text == ""
    assert (
        get_engine("rapidocr").recognize(docs["guide_page"].image, dpi=200, cancel=stop).error == "cancelled"
    )


def test_words_that_are_not_print_are_dropped():
    from kiosk.scan.ocr.tesseract import clean_word

    assert clean_word("|140581199305222403", 91.0) == "140581199305222403"  # a table rule
    assert clean_word("“|", 40.0) == "" and clean_word("。”|", 50.0) == "。"
    assert clean_word("eegueeeve", 0.0) == ""  # made up from a card's guilloche
    assert clean_word("RE", 31.0) == "" and clean_word("ABC", 88.0) == "ABC"
    assert clean_word("申请人", 0.5) == "申请人"


def test_rapidocr_print_area_skips_margins_and_desk_strips():
    """The detector sees only the print (its time grows with pixels), never less than it."""
    import numpy as np

    from kiosk.scan.ocr.rapidocr import print_area

    page = np.full((2339, 1654), 225, np.uint8)
    page[400:440, 300:1300] = 30  # a line of print
    page[1500:1540, 300:700] = 30  # another
    page[:, :12] = 15  # a strip of dark desk along the left edge (loose quad)
    rows, cols = print_area(page)
    assert rows.start <= 400 and rows.stop >= 1540 and cols.start <= 300 and cols.stop >= 1300
    assert rows.start > 250 and rows.stop < 1700 and cols.start > 150 and cols.stop < 1450
    assert print_area(np.full((600, 400), 225, np.uint8)) == (slice(0, 600), slice(0, 400))  # blank


def test_rapidocr_reads_a_whole_a4_page(docs):
    """Read through its print area at the whole page's detector scale, without PP-OCR's own
    line classifier (pages come upright from ``orient``)."""
    doc = docs["application_form"]
    result = get_engine("rapidocr").recognize(doc.image, dpi=200)
    assert cer(doc.text, result.text) < 0.01
    assert doc.fields["id_number"] in result.text.replace(" ", "")


def test_each_engine_prepares_the_page_it_reads():
    """What the pipeline stores: Tesseract's input has uneven light divided out; RapidOCR
    reads (and so stores) the gray page untouched — the corrected page made PP-OCR drop
    whole lines on two benchmark pages."""
    import numpy as np

    gray = np.full((800, 600), 220, np.uint8)
    gray[200:220, 100:500] = 40
    shadowed = (gray * np.linspace(0.3, 1.0, 800)[:, None]).astype(np.uint8)
    assert np.array_equal(get_engine("rapidocr").prepare(np.dstack([shadowed] * 3)), shadowed)
    evened = get_engine("tesseract").prepare(shadowed)
    assert np.percentile(evened[:100], 50) > 200 > np.percentile(shadowed[:100], 50)


def test_rapidocr_word_boxes_are_in_the_page_pixels(docs):
    """The engine reads a resized print area; its boxes come back in the page's pixels."""
    from kiosk.scan.ocr.rapidocr import RapidOcrEngine

    doc = docs["application_form"]
    page = RapidOcrEngine().recognize(doc.image, dpi=200)
    truth = doc.fields["id_number"]
    word = next(w for w in page.words if truth in w.text)
    x, y, w, h = word.box
    assert page.lines[word.line].count(truth) == 1
    gray = doc.image[y : y + h, x : x + w].min(axis=2)
    assert (gray < 100).mean() > 0.05  # print inside the box
    border = doc.image[max(0, y - h) : y, x : x + w].min(axis=2)
    assert (gray < 100).mean() > 3 * (border < 100).mean()  # and more of it than just above


def test_rapidocr_sessions_do_not_spin():
    """Idle ONNX Runtime threads sleep: spinning ones took a core from the stages beside
    the OCR (docs/scanning.md, RapidOCR)."""
    from kiosk.scan.ocr.rapidocr import shared_rapidocr

    rapid = shared_rapidocr()
    for model in (rapid._load_det_model(), rapid._load_rec_model()):
        opts = model.session.session.get_session_options()
        assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert opts.intra_op_num_threads == 2


def test_a_single_line_read_loads_the_recogniser_alone():
    """Tesseract's second reader (``reread.second_reading``) reads single lines with
    PP-OCR: only its recogniser loads (~85 MB), not the detector, and quietly. A fresh
    process: this one has long loaded both."""
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from kiosk.scan.ocr import get_engine\n"
        "from kiosk.scan.ocr import rapidocr\n"
        "line = np.full((48, 300), 255, np.uint8)\n"
        "line[14:34, 20:280:24] = 0\n"
        "get_engine('rapidocr').recognize(line, dpi=200, single_line=True)\n"
        "rapid = rapidocr._ENGINE\n"
        "opts = rapid.text_rec.session.session.get_session_options()\n"
        "print(rapid.text_det is None, opts.get_session_config_entry('session.intra_op.allow_spinning'))\n"
        "rapidocr.shared_rapidocr()\n"
        "print(rapid.text_det is not None and rapid.text_det in rapidocr._QUIET)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "0", "True"], out.stderr
