"""The 统一社会信用代码 check against real published codes, every single-character mistake
in them, and generated codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.organizations import credit_code
from portal.organizations.credit_code import ALPHABET, PREFIXES, check, complete
from portal.refusals import Refused

# Printed on public pages: companies' business licences and foundations' registrations.
REAL = {
    "9144030071526726XG": "腾讯科技（深圳）有限公司",  # organization code check digit X
    "914403001922038216": "华为技术有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91330100799655058B": "阿里巴巴（中国）有限公司",
    "53100000500019795A": "中国社会福利基金会",  # 5x: a foundation registered with 民政部
    "53100000500021676K": "北京理工大学教育基金会",
    "12100000400009127B": "北京理工大学",  # 1x: a public institution
}
# Anything a person can type: the alphabet, the letters it leaves out, and a few others.
TYPED = ALPHABET + "IOSVZ-a.*中 "


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code):
    assert check(code) == code


def test_the_x_check_digit_and_social_organizations_are_among_them():
    assert any(code[16] == "X" for code in REAL)
    assert any(code.startswith("5") for code in REAL)


def test_typing_is_forgiven():
    assert check(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"
    assert check("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"


@pytest.mark.parametrize("code", REAL)
def test_every_single_character_mistake_is_refused(code):
    refused = 0
    for position in range(len(code)):
        for character in TYPED:
            mistyped = code[:position] + character + code[position + 1:]
            if credit_code.normalise(mistyped) == code:
                continue  # "a" for "A": the same code, typed in lower case
            with pytest.raises(Refused) as caught:
                check(mistyped)
            assert caught.value.field == "credit_code"
            refused += 1
    assert refused >= 18 * (len(TYPED) - 2)


def _reason(code):
    with pytest.raises(Refused) as caught:
        check(code)
    return caught.value


def test_each_fault_is_named():
    assert _reason("91440300715267").reason == "credit_code_length"
    assert _reason("91440300715267").details == {"count": 14}
    assert _reason("9144030071526726XGX").reason == "credit_code_length"
    mistake = _reason("914403007152672OXG")
    assert (mistake.reason, mistake.details) == ("credit_code_character",
                                                 {"position": 16, "character": "O"})
    assert _reason("9444030071526726XG").details == {"prefix": "94"}
    assert _reason("B144030071526726XG").reason == "credit_code_prefix"
    assert _reason("91440A0071526726XG").reason == "credit_code_region"
    assert _reason("91440300715267261G").reason == "credit_code_organization"
    assert _reason("9144030071526726XH").reason == "credit_code_check"


def test_the_organization_check_digit_maps_10_to_x_and_11_to_0():
    # 71526726 → 11 − (Σ mod 11) = 10 → "X" (Tencent); a sum ≡ 0 (mod 11) gives 11 → "0".
    assert credit_code.organization_check_digit("71526726") == "X"
    assert credit_code.organization_check_digit("00000000") == "0"
    assert credit_code.organization_check_digit("19220382") == "1"


def test_the_prefix_table_is_gb_32100():
    assert {"11", "12", "13", "19", "51", "52", "53", "59", "91", "92", "93", "Y1",
            "N1", "A1", "31", "71", "81"} <= PREFIXES
    assert not {"10", "54", "94", "99", "Y2", "B1", "5A"} & PREFIXES


prefixes = st.sampled_from(sorted(PREFIXES))
regions = st.text("0123456789", min_size=6, max_size=6)
bodies = st.text(ALPHABET, min_size=8, max_size=8)


@given(prefixes, regions, bodies)
def test_generated_codes_round_trip(prefix, region, body):
    code = complete(prefix + region + body)
    assert len(code) == 18
    assert check(code) == code
    assert check(code.lower()) == code


@given(prefixes, regions, bodies, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_generated_codes_refuse_any_substitution(prefix, region, body, position, character):
    code = complete(prefix + region + body)
    if code[position] != character:
        with pytest.raises(Refused):
            check(code[:position] + character + code[position + 1:])
