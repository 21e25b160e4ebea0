"""Phone numbers: what people type, what the portal keeps and shows, what a ``tel:`` link dials.

Two kinds of number:

- a person's **mobile** (their sign-in): 11 digits starting 13–19, kept as ``13812345678``;
- a **service phone** (a service point's, a community's hotline): a mobile, a landline with
  its area code kept as ``028-87331234`` (an extension after a second dash,
  ``028-87331234-801``), or a short public service number (``12345``, ``12349``, ``96333``).

People type them with spaces, dashes of every width, dots, the area code in parentheses,
``+86`` / ``0086`` in front, full-width digits from a Chinese keyboard, and ``转 801`` for an
extension; all of that is read here and nowhere else.
"""

import re
import unicodedata

# re.ASCII: "\d" alone would also take Arabic-Indic and other digits that NFKC leaves alone.
MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?", re.ASCII)
SHORT_SERVICE_NUMBER = re.compile(r"1\d{4}|9\d{4,5}", re.ASCII)  # 12345, 12349, 96333 …

_SPACES_AND_DOTS = re.compile(r"[\s.·]")
_DASHES = re.compile(r"[‐‑‒–—―−]")  # NFKC leaves these apart from "-"
# "028-87331234 转 801", "… ext. 801", "… x801": an extension, written here after a dash.
_EXTENSION_WORD = re.compile(r"-?(?:转|分机|ext|x)-?(?=\d{1,6}$)", re.IGNORECASE)
_COUNTRY_CODE = re.compile(r"^\(?(?:\+|00)86\)?-?")


def _tidy(text):
    """Full-width to ASCII, no spaces or dots, one kind of dash."""
    text = unicodedata.normalize("NFKC", text or "")
    return _DASHES.sub("-", _SPACES_AND_DOTS.sub("", text))


def normalize_mobile(text):
    """Turn what people type for a mobile ("138 1234-5678", "+86 138…", full-width digits)
    into what is kept: 11 digits when it is one (check with ``is_valid_mobile``)."""
    text = re.sub(r"[-()]", "", _tidy(text))
    return _COUNTRY_CODE.sub("", text)


def is_valid_mobile(mobile):
    """Tell whether ``mobile`` (as ``normalize_mobile`` returns it) is a mainland mobile."""
    return bool(MOBILE.fullmatch(mobile or ""))


def service_phone(text):
    """Return a service phone as the portal keeps and shows it (``13812345678``,
    ``028-87331234``, ``028-87331234-801``, ``12349``), or None when ``text`` is not one."""
    text = _EXTENSION_WORD.sub("-", _tidy(text))
    text, international = _COUNTRY_CODE.sub("", text), bool(_COUNTRY_CODE.match(text))
    text = re.sub(r"^\((\d{2,4})\)-?", r"\1-", text)  # (028) 8733 1234
    if international and re.match(r"[2-9]", text):
        text = "0" + text  # +86 28 8733 1234: the area code without its trunk 0
    if MOBILE.fullmatch(text) or SHORT_SERVICE_NUMBER.fullmatch(text):
        return text
    match = LANDLINE.fullmatch(text)
    if not match:
        return None
    area, number, extension = match.groups()
    if "-" not in text[:5]:
        # Written without a dash: Beijing (010) and the 02x areas have 3-digit codes, the
        # rest 4.
        digits = area + number
        area = digits[:3] if digits[1] in "12" else digits[:4]
        number = digits[len(area):]
        if not 7 <= len(number) <= 8:
            return None
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def dial(phone):
    """Return what a ``tel:`` link dials: the digits, and an extension after a comma (a
    pause, so the phone dials it once the switchboard answers)."""
    kept = service_phone(phone)
    if kept is None:
        return re.sub(r"[^0-9]", "", _tidy(phone))
    match = LANDLINE.fullmatch(kept)
    if match and match.group(3):
        area, number, extension = match.groups()
        return f"{area}{number},{extension}"
    return kept.replace("-", "")
