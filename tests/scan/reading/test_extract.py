"""Field extraction and the repair rules for identifiers read with OCR confusions."""

from __future__ import annotations

import itertools

from stdnum.cn import uscc as stdnum_uscc

from kiosk.scan.extract import TO_DIGIT, extract, find_dates, find_name, find_phones, repair
from kiosk.scan.types import Barcode

ID = "140525199905091119"  # valid: check digit 9
ID_X = "14052219880412108X"  # valid, ends in X


def test_valid_numbers_pass_unchanged():
    r = repair(ID, "id_number")
    assert r.valid and not r.repaired and r.value == ID
    assert repair(ID_X, "id_number").valid


def test_letter_confusions_repaired_when_check_digit_holds():
    r = repair("l4O525I999O5O91119", "id_number")
    assert r.valid and r.repaired and r.value == ID
    r = repair("14052219880412108x", "id_number")
    assert r.valid and r.value == ID_X
    r = repair("I4O522I988O4IZIO8X", "id_number")
    assert r.valid and r.value == ID_X


def test_no_repair_when_check_digit_fails():
    r = repair("14052519990509111O", "id_number")  # O→0 gives ...1110: check digit wrong
    assert not r.valid and r.value == "14052519990509111O"
    r = repair("140525199905091118", "id_number")  # a wrong digit is not guessed
    assert not r.valid and not r.repaired


def test_uscc_forced_and_optional_substitutions():
    code = "9314052184669X8YEJ"
    assert repair("93I4O52184669X8YEJ", "uscc").value == code  # I, O never occur in a USCC
    assert repair(code.replace("9314", "93l4"), "uscc").value == code
    body = "91140525MA0K1234" + "5"
    with_zero = body + stdnum_uscc.calc_check_digit(body)
    misread = with_zero.replace("MA0K", "MADK")  # D is a legal letter: an optional repair
    assert not stdnum_uscc.is_valid(misread)
    r = repair(misread, "uscc")
    assert r.valid and r.repaired and r.value == with_zero


def test_ambiguous_uscc_is_reported_unrepaired():
    """Two look-alike letters, each of which could be the misread digit: when either single
    repair gives a valid code, refuse to pick one."""
    base = "91140525" + "123456789"
    for i, j in itertools.permutations(range(8, 17), 2):
        for a, b in itertools.product("DBGQ", repeat=2):
            body = list(base)
            body[i], body[j] = a, b
            first = body.copy()
            first[i] = TO_DIGIT[a]
            raw = "".join(body) + stdnum_uscc.calc_check_digit("".join(first))
            second = list(raw)
            second[j] = TO_DIGIT[b]
            if stdnum_uscc.is_valid("".join(second)) and not stdnum_uscc.is_valid(raw):
                r = repair(raw, "uscc")
                assert not r.valid and r.ambiguous and r.value == raw
                return
    raise AssertionError("no ambiguous case found; widen the search")


def test_fields_from_an_id_card_text():
    text = "姓名 孙军杰\n性别 男 民族 汉\n出生 1999 年 5 月 9 日\n住址 山西省晋城市\n"
    text += "公民身份号码 l4O525I999O5O91119"
    fields = extract(text).fields
    assert fields == {"id_number": ID, "name": "孙军杰", "date": "1999-05-09"}


def test_unverified_identifier_is_kept_apart():
    fields = extract("公民身份号码 140525199905091118").fields
    assert "id_number" not in fields and fields["id_number_unverified"] == "140525199905091118"


def test_credit_code_from_qr_payload_beats_ocr_misreading():
    text = "统一社会信用代码 9314052184669X8YFJ"  # OCR read E as F: not repairable
    barcodes = [Barcode("QRCODE", "https://www.gsxt.gov.cn/corp?uniscid=9314052184669X8YEJ")]
    assert extract(text).fields.get("uscc") is None
    assert extract(text, barcodes).fields["uscc"] == "9314052184669X8YEJ"


def test_names_dates_phones():
    assert find_name("申请人姓名郑文霞联系电话") == "郑文霞"
    assert find_name("姓名丁红性别男") == "丁红"
    assert find_name("没有名字") is None
    assert find_dates("2025 年 7 月 14 日 和 2024-02-29 及 2023年2月30日") == ["2025-07-14", "2024-02-29"]
    assert find_phones("联系电话: 15077898692 固话 0356-2221234") == ["15077898692", "0356-2221234"]
    assert find_phones("140525199905091119") == []  # an ID number is not a phone
    assert "phone" not in extract("受理编号 ZZ-109-20250526-4624").fields


def test_table_rule_beside_a_number_is_not_part_of_it():
    """Tesseract reads the rule between a label cell and its value as "|" glued to the
    number; the 19 characters used to hide a valid ID number from extraction."""
    assert extract(f"公民身份号码 |{ID}").fields["id_number"] == ID
    assert extract(f"公民身份号码 “|{ID_X}|").fields["id_number"] == ID_X
    assert extract("统一社会信用代码 l9314052184669X8YEJ").fields["uscc"] == "9314052184669X8YEJ"
    assert "id_number" not in extract(f"号码 7{ID}").fields  # 19 digits: not a rule, no guess
