"""portal/gzipped.py: a gzip stream put together from pieces compressed ahead of time and
pieces stored as they are, read back whole by any gzip reader."""

import gzip
import shutil
import subprocess
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.gzipped import deflated, gzip_body, stored

# Page text never holds NULs (they stand for the token); short alphabets repeat themselves,
# so later pieces point back into earlier ones.
page_text = st.one_of(st.binary(max_size=3000).map(lambda text: text.replace(b"\x00", b"<")),
                      st.text("<li>院落公示 ", max_size=2000).map(str.encode))


def around(parts, token):
    """The page ``token.join(parts)`` as the page cache serves it."""
    gap = b"\x00" * len(token)
    kept = [(part, deflated(part, before=gap.join(parts[:index] + [b""])))
            for index, part in enumerate(parts)]
    with_token = [kept[0]]
    for piece in kept[1:]:
        with_token += [(token, stored(token)), piece]
    return gzip_body(with_token)


@given(st.lists(page_text, min_size=1, max_size=5), st.binary(min_size=1, max_size=90))
def test_a_page_compressed_around_a_gap_reads_back_with_any_token_of_its_length(parts, token):
    body = around(parts, token)
    assert gzip.decompress(body) == token.join(parts)
    assert zlib.decompress(body, wbits=31) == token.join(parts)  # checksum and length right


def test_pieces_point_back_past_the_token_so_the_page_stays_small():
    head = "<nav>社区服务中心 · 院落公示 · 议事会 · 时间银行</nav>".encode() * 20
    token = b"IjY0ZjM2YjQ.Z0abCd.aB1-xyz_signature"
    body = around([head, head, head], token)
    assert gzip.decompress(body) == token.join([head, head, head])
    one_piece = around([token.join([head, head, head])], b"")
    assert len(body) < len(one_piece) + 3 * len(token)


def test_a_piece_with_nuls_is_refused():
    with pytest.raises(ValueError):
        deflated(b"a\x00b", before=b"\x00\x00\x00")


@given(st.lists(st.tuples(page_text, st.booleans()), max_size=6))
def test_pieces_compressed_or_stored_read_back_as_the_whole(parts):
    body = gzip_body([(plain, stored(plain) if raw else deflated(plain)) for plain, raw in parts])
    assert gzip.decompress(body) == b"".join(plain for plain, _raw in parts)


def test_a_long_stored_piece_spans_blocks():
    plain = bytes(range(256)) * 600  # 153,600 bytes: three stored blocks
    assert gzip.decompress(gzip_body([(plain, stored(plain))])) == plain


def test_compressed_pieces_are_smaller_and_the_stored_one_is_not_compressed():
    page = "<li>草堂东路133号院 · 公示</li>".encode() * 200
    token = b"IjY0ZjM2.aB1-xyz"
    body = gzip_body([(page, deflated(page)), (token, stored(token)), (page, deflated(page))])
    assert len(body) < len(page) // 5
    assert token in body  # never in a compression window with the page's text


@pytest.mark.skipif(shutil.which("gzip") is None, reason="needs the gzip command")
def test_the_gzip_command_reads_it():
    page = "<p>邻里</p>".encode() * 100
    body = gzip_body([(page, deflated(page)), (b"token", stored(b"token"))])
    result = subprocess.run(["gzip", "-dc"], input=body, capture_output=True, check=True)
    assert result.stdout == page + b"token"
