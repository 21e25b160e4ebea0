"""Photos residents and organizations send (a council request's, a project's progress):
whatever a phone sent, re-encoded here so that what is kept and shown carries no location or
camera metadata and is small enough for a basic phone; and served the one way.

Invariants of ``reencode``: at most ``MAX_BYTES`` are ever read; only JPEG and PNG are
opened; a picture of more than ``MAX_PIXELS`` is refused from its header, before it is
decoded (a decompression bomb never reaches memory); the output is a fresh JPEG of at most
``LONG_SIDE`` px on its long side and at most ``MAX_OUTPUT`` bytes, with no EXIF.
"""

import io
import warnings

from flask import make_response
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.i18n import lazy_gettext as _l
from portal.refusals import Refused, messages

MESSAGES = messages({
    "photo_too_big": _l("The photo is too big: at most 5 MB."),
    "photo_not_image": _l("This is not a photo we can read. Send a JPEG or PNG picture."),
    "photo_too_many_pixels": _l("This picture is far too large to open. Send a normal "
                                "photo from a phone."),
})
# A photo's address never shows another picture (a new photo gets a new address; one taken
# down answers 404), so the phone may keep it; "private": only the phone, never a proxy.
CACHE_CONTROL = "private, max-age=2592000, immutable"

MAX_BYTES = 5 * 1024 * 1024
MAX_OUTPUT = 200 * 1024
LONG_SIDE = 1280
# A 50-megapixel phone camera is 8160 × 6120; anything larger is not a photo of a courtyard.
MAX_PIXELS = 52_000_000
FORMATS = ("JPEG", "PNG")
QUALITIES = (85, 75, 65, 55, 45)

# What Pillow raises for a damaged or hostile file, besides its own bomb errors.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError,
               IndexError, KeyError, EOFError)


def _read(file_storage):
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Refused("photo_too_big", field="photo")
    if not data:
        raise Refused("photo_not_image", field="photo")
    return data


def _checked(data):
    """Open ``data`` far enough to know it is a JPEG or PNG of a sane size; verify it."""
    image = Image.open(io.BytesIO(data))
    if image.format not in FORMATS:
        raise Refused("photo_not_image", field="photo")
    width, height = image.size
    if width < 1 or height < 1:
        raise Refused("photo_not_image", field="photo")
    if width * height > MAX_PIXELS:
        raise Refused("photo_too_many_pixels", field="photo")
    image.verify()


def _decoded(data):
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        # Decode at a reduced scale straight away (a 12 MP photo is decoded at ~1/2 or 1/4).
        image.draft("RGB", (LONG_SIDE * 2, LONG_SIDE * 2))
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    # A new image carries nothing of the old one's metadata (EXIF, GPS, ICC, comments).
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _encode(image):
    """JPEG bytes of ``image`` within ``MAX_OUTPUT``: lower quality first, then smaller."""
    while True:
        for quality in QUALITIES:
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= MAX_OUTPUT:
                return out.getvalue(), image
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)),
                             Image.Resampling.LANCZOS)


def reencode(file_storage):
    """Read an uploaded photo and return (jpeg bytes, mimetype, width, height); raise
    Refused(field="photo") for anything too big, not a JPEG/PNG, damaged or a bomb."""
    data = _read(file_storage)
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it: treat that as refused too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _checked(data)
            image = _decoded(data)
        except Refused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused("photo_too_many_pixels", field="photo") from None
        except _UNREADABLE:
            raise Refused("photo_not_image", field="photo") from None
    body, image = _encode(image)
    return body, "image/jpeg", image.width, image.height


def photo_response(data, mimetype="image/jpeg"):
    """The answer that serves a kept photo."""
    response = make_response(data)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
