"""Plausible, valid identities for synthetic documents: names, addresses, resident ID
numbers and unified social credit codes whose check characters hold (python-stdnum).

Birth years respect stdnum's county table (a county code counts from its creation year),
so every generated number passes ``shared_schema.identifiers``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.cn import ric, uscc

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌海鹏飞春燕金凤德福生荣"
NATIONS = ["汉", "汉", "汉", "汉", "回", "满", "蒙古"]
# (division code, county name, first year the code is valid in stdnum, township examples)
COUNTIES = [
    ("140502", "城区", 1985, ["东街街道", "西街街道", "北街街道"]),
    ("140521", "沁水县", 1985, ["龙港镇", "中村镇", "端氏镇"]),
    ("140522", "阳城县", 1985, ["凤城镇", "北留镇", "润城镇"]),
    ("140524", "陵川县", 1985, ["崇文镇", "礼义镇", "附城镇"]),
    ("140525", "泽州县", 1996, ["南村镇", "巴公镇", "大东沟镇"]),
    ("140581", "高平市", 1993, ["米山镇", "三甲镇", "寺庄镇"]),
]
VILLAGES = ["东沟村", "西坡村", "南庄村", "北岭村", "上河村", "下寨村", "大阳村", "府城村"]
COMPANY_WORDS = ["晋城市", "太行", "丹河", "凤城", "沁河", "泽丰", "鑫源", "华兴", "永安"]
COMPANY_KINDS = ["农业专业合作社", "商贸有限公司", "建材有限公司", "农产品有限公司", "食品有限公司"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Person:
    name: str
    sex: str
    nation: str
    birth: date
    address: str
    id_number: str
    phone: str
    county: str
    division_code: str


@dataclass(frozen=True)
class Company:
    name: str
    uscc: str
    legal_representative: str
    kind: str
    founded: date
    capital_wan: int
    address: str


def make_id_number(rng: random.Random, division: str, birth: date, male: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"{division}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(rng: random.Random, division: str) -> str:
    """9 (市场监管) + 1/2/3 (enterprise, individual, cooperative) + division + 9 free chars."""
    org = "".join(rng.choice(USCC_ALPHABET[:10] if i < 2 else USCC_ALPHABET) for i in range(9))
    body = f"9{rng.choice('123')}{division}{org}"
    return body + uscc.calc_check_digit(body)


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def make_phone(rng: random.Random) -> str:
    return rng.choice(["13", "15", "18", "17"]) + "".join(str(rng.randrange(10)) for _ in range(9))


def make_address(rng: random.Random, county: str, towns: list[str]) -> str:
    return f"山西省晋城市{county}{rng.choice(towns)}{rng.choice(VILLAGES)}{rng.randrange(1, 200)}号"


def make_person(rng: random.Random) -> Person:
    division, county, first_year, towns = rng.choice(COUNTIES)
    birth = date(rng.randrange(max(first_year, 1950), 2004), 1, 1) + timedelta(days=rng.randrange(365))
    male = rng.random() < 0.5
    return Person(
        name=make_name(rng),
        sex="男" if male else "女",
        nation=rng.choice(NATIONS),
        birth=birth,
        address=make_address(rng, county, towns),
        id_number=make_id_number(rng, division, birth, male),
        phone=make_phone(rng),
        county=county,
        division_code=division,
    )


def make_company(rng: random.Random) -> Company:
    division, county, _year, towns = rng.choice(COUNTIES)
    name = "晋城市" + rng.choice(COMPANY_WORDS[1:]) + rng.choice(COMPANY_KINDS)
    return Company(
        name=name,
        uscc=make_uscc(rng, division),
        legal_representative=make_name(rng),
        kind="有限责任公司（自然人独资）" if "公司" in name else "农民专业合作社",
        founded=date(rng.randrange(2005, 2024), rng.randrange(1, 13), rng.randrange(1, 29)),
        capital_wan=rng.choice([10, 50, 100, 200, 500]),
        address=make_address(rng, county, towns),
    )
