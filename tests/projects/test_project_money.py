"""The matching rule of a fund and a project's leverage, computed by hand."""

from types import SimpleNamespace

import pytest

from portal.projects.models import FundingLine
from portal.projects.projects import leverage, matched


def fund(percent, cap):
    return SimpleNamespace(match_percent=percent, match_cap_fen=cap)


@pytest.mark.parametrize(("percent", "cap", "residents", "expected"), [
    (100, 2_000_000, 1_760_000, 1_760_000),  # 1:1 under the cap
    (100, 1_000_000, 1_760_000, 1_000_000),  # capped
    (50, 2_000_000, 333, 166),  # half, rounded down to whole 分
    (33, 10_000_000, 100, 33),
    (100, 0, 1_760_000, 0),  # cap 0: no matching
    (100, 5_000, 0, 0),
])
def test_matched(percent, cap, residents, expected):
    assert matched(fund(percent, cap), residents) == expected


def project(*lines):
    return SimpleNamespace(funding=[FundingLine(source=s, amount_fen=a) for s, a in lines])


@pytest.mark.parametrize(("lines", "words"), [
    ((("community_fund", 1_760_000), ("residents", 1_760_000)), "1.0"),  # 50/50
    ((("community_fund", 1_000_000), ("residents", 1_000_000), ("donations", 1_000_000)),
     "2.0"),  # 社区资金 1 元 带动 2 元
    ((("community_fund", 300), ("residents", 100)), "0.3"),  # 0.333…
    ((("community_fund", 300), ("residents", 200)), "0.7"),  # 0.666… rounds up
    ((("community_fund", 200), ("street", 5)), "0.0"),  # 0.025 rounds to 0.0
    ((("community_fund", 200), ("street", 10)), "0.1"),  # 0.05 rounds half up
])
def test_leverage(lines, words):
    assert leverage(project(*lines)) == words


def test_no_leverage_without_community_money():
    assert leverage(project(("residents", 100))) is None
    assert leverage(project()) is None
