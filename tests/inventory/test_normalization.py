"""Normalization on real-world spellings: one maker rule shared with the scanner, model keys ours."""

from __future__ import annotations

import pytest

from inventory.identity import maker_key
from inventory.normalize import compile_pattern, model_key
from scanner.vendors import load_vendor_catalog, normalize_maker

CATALOG = load_vendor_catalog()


@pytest.mark.parametrize(
    ("spelling", "family"),
    [
        ("㈜한화비전", "hanwha"),
        ("한화비전(주)", "hanwha"),
        ("(주) 한화비전", "hanwha"),
        ("주식회사 한화비전", "hanwha"),
        ("Hanwha Vision Co., Ltd.", "hanwha"),
        ("HANWHA VISION CO.,LTD", "hanwha"),
        ("Samsung Techwin Co.,Ltd", "hanwha"),
        ("삼성테크윈", "hanwha"),
        ("한화테크윈 주식회사", "hanwha"),
        ("Wisenet", "hanwha"),
        ("한화 비전", "hanwha"),  # spaced out: scanner.vendors' compact lookup (added for the registry)
        ("한화 테크윈(주)", "hanwha"),
        ("HanwhaVision", "hanwha"),
        ("HANWHA TECHWIN CO., LTD.", "hanwha"),
        ("（주）한화비전", "hanwha"),  # full-width parentheses
        ("주식회사아이디스", "idis"),
        ("주식회사 아이디스", "idis"),
        ("아이디스(주)", "idis"),
        ("ＩＤＩＳ", "idis"),
        ("IDIS Co., Ltd.", "idis"),
        ("idis co ltd", "idis"),
        ("씨프로", "cpro"),
        ("C-PRO", "cpro"),
        ("TRUEN", "truen"),
        ("(주)트루엔", "truen"),
        ("이노뎁(주)", "innodep"),
        ("INNODEP Inc.", "innodep"),
        ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hikvision"),
        ("Zhejiang Dahua Technology Co.,Ltd.", "dahua"),
        ("Axis Communications AB", "axis"),
        # Corp. / Corporation, as English-language certificates and ONVIF answers write them
        ("Hanwha Vision Corp.", "hanwha"),
        ("Hanwha Vision Corporation", "hanwha"),
        ("HANWHA TECHWIN CORP.", "hanwha"),
        ("Samsung Techwin Corporation", "hanwha"),
        ("Hanwha Vision Corp., Ltd.", "hanwha"),
        ("한화비전 Corp.", "hanwha"),
        ("IDIS Corp.", "idis"),
        ("IDIS CORPORATION", "idis"),
        ("IDIS Corp", "idis"),
        ("INNODEP Corp.", "innodep"),
        ("TRUEN Corporation", "truen"),
        ("CPRO Corp.", "cpro"),
        ("Zhejiang Dahua Technology Corp.", "dahua"),
        ("Hikvision Corporation", "hikvision"),
    ],
)
def test_maker_spellings_fall_into_their_family(spelling, family):
    assert maker_key(spelling, CATALOG) == family


@pytest.mark.parametrize(
    ("spelling", "normalized"),
    [
        ("㈜ 한빛비전", "한빛비전"),
        ("한빛비전(주)", "한빛비전"),
        ("주식회사 한빛비전", "한빛비전"),
        ("Hanbit Vision Co., Ltd.", "hanbit vision"),
        ("  Hanbit   Vision  Inc. ", "hanbit vision"),
        ("Hanbit Vision Corp.", "hanbit vision"),
        ("HANBIT VISION CORPORATION", "hanbit vision"),
        ("Hanbit Vision Corp", "hanbit vision"),
        ("Hanbit Vision Corp., Ltd.", "hanbit vision"),
        # English legal forms are removed as whole words only, never from inside a name.
        ("Hanbit Vision Incorporated", "hanbit vision"),
        ("Corpus Vision Corp.", "corpus vision"),
        ("Vincent Optics Inc.", "vincent optics"),
        ("Unlimited Vision Co., Ltd.", "unlimited vision"),
        ("Abcon Co.,Ltd", "abcon"),
        ("Hanbit Vision Co.Ltd.", "hanbit vision"),
        ("주식회사한빛비전", "한빛비전"),
    ],
)
def test_unknown_maker_is_normalized_conservatively(spelling, normalized):
    """A maker the catalog does not know keeps its own name, with only legal forms and spacing removed."""
    assert normalize_maker(spelling) == normalized
    assert maker_key(spelling, CATALOG) == normalized


def test_different_makers_stay_different():
    keys = {
        maker_key(n, CATALOG) for n in ("Hanwha Vision", "IDIS", "한빛비전", "Dahua", "Hikvision", "Truen")
    }
    assert len(keys) == 6


@pytest.mark.parametrize(
    "spelling",
    [
        "XNO-6080R",
        "XNO‐6080R",
        "XNO–6080R",
        "XNO−6080R",
        "xno_6080r",
        "XNO 6080R",
        "ＸＮＯ－６０８０Ｒ",
        " xno-6080r ",
    ],
)
def test_model_spellings_share_one_key(spelling):
    assert model_key(spelling) == "xno6080r"


def test_model_variants_stay_apart():
    assert model_key("XNO-6080R") != model_key("XNO-6080RH")
    assert model_key("DS-2CD2143G2-I") != model_key("DS-2CD2143G2-IS")


@pytest.mark.parametrize(
    ("pattern", "model", "fits"),
    [
        ("XNO-6080R*", "XNO-6080R", True),
        ("XNO-6080R*", "xno_6080rh", True),
        ("XNO-6080R*", "XNO-6081R", False),
        ("TN-?220*", "TN-B220CS", True),
        ("ＸＮＯ－6080Ｒ＊", "XNO-6080RH", True),
    ],
)
def test_patterns_work_on_model_keys(pattern, model, fits):
    assert bool(compile_pattern(pattern).match(model_key(model))) is fits
