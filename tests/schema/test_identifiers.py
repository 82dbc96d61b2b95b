"""Validators for what residents and enterprises type in: ID numbers, credit codes,
phones and division codes, against known good and known bad values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from shared_schema import Applicant, Division, SchemaError
from shared_schema.identifiers import (
    county_of,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    validate_division_code,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

from .conftest import ENTERPRISE_USCC, PERSON_ID, applicant


def _with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum skips the last place


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example printed in GB 11643
        "360426199101010071",
        PERSON_ID,
        "14050219900101102X",  # X check character, 城区
    ],
)
def test_valid_id_numbers(number: str) -> None:
    assert validate_id_number(number) == number
    assert is_valid_id_number(number)


def test_lower_case_x_is_accepted_and_canonicalised() -> None:
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check digit"),  # last character altered
        ("11010519491231002", "wrong length"),  # 17 characters
        ("1101051949123100211", "wrong length"),  # 19 characters
        ("110105491231002", "wrong length"),  # first-generation 15-digit number
        ("1101051949123100X2", "wrong format"),  # X not in last place
        (_with_check("11010519491331002"), "birth date"),  # month 13
        (_with_check("11010520230229002"), "birth date"),  # 2023 had no 29 February
        (_with_check("99010519491231002"), "invalid component"),  # no such division
        ("", "wrong length"),
    ],
)
def test_invalid_id_numbers(number: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_id_number(number)
    assert not is_valid_id_number(number)


def test_elderly_resident_of_a_county_created_after_their_birth_is_valid() -> None:
    """泽州县 (140525) dates from 1996, but its residents born in 1950 hold 140525… numbers:
    numbers carry the county of registration when issued, not of birth."""
    number = _with_check("14052519500307123")
    assert validate_id_number(number) == number
    assert is_valid_id_number(number)


def test_county_codes_are_stdnums_and_its_place_tree_is_not_loaded() -> None:
    """The ID check reads stdnum's place file as a set of codes (the app keeps it for its
    whole life): the same counties as stdnum's own database, without its 3.6 MB tree."""
    import subprocess
    import sys

    from stdnum import numdb

    from shared_schema.identifiers import _county_codes

    tree = numdb.get("cn/loc")
    counties = {
        province + county
        for _length, province, _high, _props, children in tree.prefixes
        for _l, county, _h, props, _c in children
        if "county" in props
    }
    assert _county_codes() == counties
    assert {"140525", "110105", "110103"} <= counties  # 110103 (崇文区) was merged in 2010
    script = (
        "import sys; from stdnum import numdb; from shared_schema.identifiers import validate_id_number;"
        f"validate_id_number({PERSON_ID!r}); print(sorted(numdb._open_databases))"
    )
    opened = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert opened.stdout.strip() == "[]"


def test_birth_date_in_the_future_is_rejected() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = _with_check(f"140525{tomorrow:%Y%m%d}123")
    with pytest.raises(ValueError, match="future"):
        validate_id_number(number)


@pytest.mark.parametrize("code", ["91110000600037341L", ENTERPRISE_USCC])
def test_valid_uscc(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


def test_exactly_one_uscc_check_character_fits() -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
    fits = [c for c in alphabet if is_valid_uscc(ENTERPRISE_USCC[:17] + c)]
    assert fits == [ENTERPRISE_USCC[-1]]


def test_uscc_lower_case_and_spaces_are_canonicalised() -> None:
    assert validate_uscc("9 1110000 600037341l") == "91110000600037341L"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341M", "check digit"),
        ("A1110000600037341L", "wrong format"),  # registering authority must be a digit
        ("9111000060003734IL", "wrong format"),  # I is not in the GB 32100 alphabet
        ("12345", "wrong length"),
        ("91110000600037341L0", "wrong length"),
    ],
)
def test_invalid_uscc(code: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_uscc(code)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13903561234", "13903561234"),
        ("+86 139 0356 1234", "13903561234"),
        ("0356-2023100", "0356-2023100"),
        ("03562023100", "03562023100"),
        ("（0356）2023100", "03562023100"),
    ],
)
def test_valid_phones(raw: str, canonical: str) -> None:
    assert validate_phone(raw) == canonical


@pytest.mark.parametrize("raw", ["12345678901", "1390356123", "139035612345", "0356-123", "", "电话"])
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        validate_phone(raw)


@pytest.mark.parametrize("code", ["140525", "140525113", "140525113205"])
def test_valid_division_codes(code: str) -> None:
    assert validate_division_code(code) == code
    assert county_of(code) == "140525"


@pytest.mark.parametrize("code", ["1405", "14052511", "14052511320", "1405251132050", "14052a", 140525])
def test_invalid_division_codes(code: object) -> None:
    with pytest.raises(ValueError, match="division code"):
        validate_division_code(code)  # type: ignore[arg-type]


def test_mask_keeps_only_the_ends() -> None:
    assert mask_id_number(PERSON_ID) == "1405**********123X"


def test_applicant_names_every_bad_field_at_once() -> None:
    with pytest.raises(SchemaError) as info:
        Applicant.parse(
            {
                "kind": "person",
                "name": "李建国",
                "id_number": "110105194912310021",
                "phone": "12345",
                "home_division": "1405",
            },
            source="kiosk K01",
        )
    paths = {p.path for p in info.value.problems}
    assert paths == {"id_number", "phone", "home_division"}
    assert "kiosk K01" in str(info.value)


def test_applicant_identity_matches_kind() -> None:
    with pytest.raises(ValueError, match="needs uscc"):
        Applicant(kind="enterprise", name="某店", phone="13903561234", home_division="140525")
    with pytest.raises(ValueError, match="needs id_number"):
        applicant(id_number=None)


@pytest.mark.parametrize(
    ("row", "ok"),
    [
        ({"code": "140525113205", "name": "南义城村", "level": "village", "parent_code": "140525113"}, True),
        ({"code": "140525113", "name": "北义城镇", "level": "township", "parent_code": "140525"}, True),
        ({"code": "140525", "name": "泽州县", "level": "county", "parent_code": "140500"}, True),
        ({"code": "140500", "name": "晋城市", "level": "city", "parent_code": "14"}, True),
        ({"code": "14", "name": "山西省", "level": "province"}, True),
        ({"code": "140525113", "name": "北义城镇", "level": "village", "parent_code": "140525"}, False),
        ({"code": "140525113205", "name": "南义城村", "level": "village", "parent_code": "140522113"}, False),
        ({"code": "140525", "name": "泽州县", "level": "county", "parent_code": "140400"}, False),
    ],
)
def test_division_code_fits_level_and_parent(row: dict, ok: bool) -> None:
    if ok:
        assert Division.model_validate(row).code == row["code"]
    else:
        with pytest.raises(ValueError):
            Division.model_validate(row)
