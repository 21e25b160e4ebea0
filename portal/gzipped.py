"""A gzip body put together from pieces compressed ahead of time and pieces that differ for
each visitor, so a kept page (portal/pagecache.py) is not compressed again for every visitor
only because it carries their CSRF token.

Each kept piece is compressed on its own (raw deflate, ended on a byte boundary without ending
the stream, as pigz does); the visitor's piece goes in between as an uncompressed ("stored")
block. Any gzip reader reads the result as one stream (RFC 1951 § 3.2.4, RFC 1952). A
side effect we want: the token never shares a compression window with the page's text, so
the size of the answer says nothing about it (BREACH).
"""

import struct
import zlib

# Magic, deflate, no flags, no time, no extra flags, unknown OS (RFC 1952 § 2.3).
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked last
STORED_MAX = 0xFFFF


def deflated(piece, before=b"", level=6):
    """``piece`` as raw deflate blocks that end on a byte boundary and leave the stream open.

    ``before`` is what the reader will have read before it, so the piece may point back into
    it, as one stream would; bytes there that will differ (a token) must be NULs, which the
    piece must not contain: nothing then points into them.
    """
    if b"\x00" in piece:
        raise ValueError("a piece with NULs could point into the bytes that differ")
    window = {"zdict": before[-32768:]} if before else {}
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, **window)
    return compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)


def stored(piece):
    """``piece`` as uncompressed deflate blocks (cheap: for the few bytes that vary)."""
    blocks = []
    for start in range(0, len(piece), STORED_MAX):
        chunk = piece[start:start + STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def gzip_body(pieces):
    """One gzip stream of ``pieces``, each ``(plain bytes, the same as deflate blocks)``."""
    crc, size, blocks = 0, 0, [HEADER]
    for plain, blocks_of_plain in pieces:
        crc = zlib.crc32(plain, crc)
        size += len(plain)
        blocks.append(blocks_of_plain)
    blocks.append(LAST_BLOCK)
    blocks.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(blocks)
