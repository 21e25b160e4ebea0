"""Photos re-encoded on upload: no EXIF or GPS kept, ≤ 200 KB, and anything else refused."""

import io
import os
import zlib

import pytest
from PIL import Image

from portal import photos
from portal.refusals import Refused


def jpeg_with_gps(size=(2400, 1800)):
    """A detailed (hard to compress) JPEG photo carrying GPS and an orientation tag."""
    small = (size[0] // 4, size[1] // 4)
    image = Image.frombytes("RGB", small, os.urandom(small[0] * small[1] * 3)).resize(
        size, Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: shown upright, it is taller than wide
    exif[0x8825] = {1: "N", 2: (30.0, 39.0, 46.0), 3: "E", 4: (104.0, 2.0, 18.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def bomb_png(side=20000):
    """A PNG whose header says 20000 × 20000 (1-bit): tiny on disk, 400 MP when opened."""
    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * ((side // 8 + 1) * side), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def test_a_photo_loses_its_location_and_shrinks():
    original = jpeg_with_gps()
    assert photos.MAX_OUTPUT < len(original) <= photos.MAX_BYTES
    data, mimetype, width, height = photos.reencode(io.BytesIO(original))
    assert mimetype == "image/jpeg" and len(data) <= photos.MAX_OUTPUT
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and (image.width, image.height) == (width, height)
    assert height > width and max(width, height) <= photos.LONG_SIDE  # turned upright
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in data[:2000]


def test_a_png_becomes_a_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (200, 100), (255, 0, 0, 128)).save(out, "PNG")
    data, mimetype, width, height = photos.reencode(io.BytesIO(out.getvalue()))
    assert (mimetype, width, height) == ("image/jpeg", 200, 100)


@pytest.mark.parametrize("data, reason", [
    (b"this is a text file named photo.jpg", "photo_not_image"),
    (b"", "photo_not_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "photo_not_image"),  # a JPEG that stops at once
    (b"GIF89a" + b"\x00" * 100, "photo_not_image"),
    (b"\x00" * (30 * 1024 * 1024), "photo_too_big"),
])
def test_what_is_not_a_photo_is_refused(data, reason):
    with pytest.raises(Refused) as refused:
        photos.reencode(io.BytesIO(data))
    assert (refused.value.reason, refused.value.field) == (reason, "photo")


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    with pytest.raises(Refused) as refused:
        photos.reencode(io.BytesIO(bomb_png()))
    assert refused.value.reason == "photo_too_many_pixels"


def test_at_most_five_megabytes_are_read():
    class Endless(io.RawIOBase):
        read_sizes = []

        def read(self, size=-1):
            self.read_sizes.append(size)
            return b"\x00" * size

    with pytest.raises(Refused):
        photos.reencode(Endless())
    assert Endless.read_sizes == [photos.MAX_BYTES + 1]
