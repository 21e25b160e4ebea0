"""统一社会信用代码 (GB 32100-2015): read a typed code, or say precisely what is wrong with it.

Eighteen characters from a 31-character alphabet (no I, O, S, V, Z):

- 1–2: the registration authority and the kind of organization (``AUTHORITIES``);
- 3–8: the registering office's region (GB/T 2260), six digits;
- 9–17: the 组织机构代码 (GB 11714), whose 9th character checks its first eight;
- 18: the check character of the first seventeen (GB/T 17710, modulus 31).
"""

import unicodedata

from portal.refusals import Refused

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {character: value for value, character in enumerate(ALPHABET)}
LENGTH = 18

# Positions 1–2, from GB 32100-2015 and its amendment No. 1 (2016): the registration
# authority, then the kinds of organization it registers.
AUTHORITIES = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 编办直管的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位 (社会服务机构), 基金会, 其他
    "6": "129",  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
PREFIXES = frozenset(authority + kind for authority, kinds in AUTHORITIES.items()
                     for kind in kinds)

# GB 11714: weights of the organization code's first eight characters (letters A=10 … Z=35).
ORGANIZATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# 3^i mod 31 for the first seventeen characters of the whole code.
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))


def normalise(text):
    """The code as typed, full-width characters made plain, spaces and dashes gone, upper-case."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).replace("-", "").upper()


def organization_check_digit(first_eight):
    """The 9th character of a 组织机构代码: 11 − (Σ value×weight mod 11); 10 is X, 11 is 0."""
    total = sum(int(character, 36) * weight
                for character, weight in zip(first_eight, ORGANIZATION_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def check_character(first_seventeen):
    """The 18th character: 31 − (Σ value×weight mod 31), where 31 is written 0."""
    total = sum(VALUES[character] * weight
                for character, weight in zip(first_seventeen, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check(code):
    """Return ``code`` normalised, or raise ``Refused`` (field ``credit_code``) saying what is
    wrong: its length, a character, the first two characters, the organization code's check
    digit, or the final check character."""
    code = normalise(code)
    if len(code) != LENGTH:
        raise Refused("credit_code_length", field="credit_code", count=len(code))
    for position, character in enumerate(code, start=1):
        if character not in VALUES:
            raise Refused("credit_code_character", field="credit_code", position=position,
                          character=character)
    if code[:2] not in PREFIXES:
        raise Refused("credit_code_prefix", field="credit_code", prefix=code[:2])
    if not code[2:8].isdigit():
        raise Refused("credit_code_region", field="credit_code", region=code[2:8])
    organization_code = code[8:17]
    if organization_code[8] != organization_check_digit(organization_code[:8]):
        raise Refused("credit_code_organization", field="credit_code",
                      organization_code=organization_code)
    if code[17] != check_character(code[:17]):
        raise Refused("credit_code_check", field="credit_code")
    return code


def complete(first_sixteen):
    """The valid code that begins with these 16 characters (authority, kind, region and the
    organization code's first eight): both check characters computed. For demos and tests."""
    first_sixteen = normalise(first_sixteen)
    first_seventeen = first_sixteen + organization_check_digit(first_sixteen[8:16])
    return first_seventeen + check_character(first_seventeen)
