"""Phone numbers as people type them: a person's mobile (their sign-in) and a service phone
(a mobile, a landline with its area code, a short public number), and what a call link dials."""

from types import SimpleNamespace

import pytest
from flask import render_template_string
from wtforms.validators import StopValidation

from portal.phones import dial, is_valid_mobile, normalize_mobile, service_phone
from portal.servicemap.forms import valid_phone
from tests.factories import make_point
from tests.helpers import text

# --- mobiles ---


@pytest.mark.parametrize("typed", [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "138.1234.5678",
    "138—1234—5678",  # a Chinese keyboard's long dash
    "(138) 1234 5678",
    "+86 138 1234 5678",
    "+86-138-1234-5678",
    "(+86) 13812345678",
    "0086 138 1234 5678",
    "１３８１２３４５６７８",  # full-width digits
    "１３８　１２３４　５６７８",  # … and the full-width space
    "  13812345678\n",
])
def test_a_mobile_typed_any_usual_way_is_the_same_eleven_digits(typed):
    assert normalize_mobile(typed) == "13812345678"
    assert is_valid_mobile(normalize_mobile(typed))


@pytest.mark.parametrize("typed", [
    "",
    None,
    "1381234567",  # 10 digits
    "138123456789",  # 12 digits
    "12812345678",  # no mobile network starts 12
    "23812345678",
    "1381234567a",
    "138I2345678",  # a capital i for a one
    "13٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits: NFKC keeps them, the database must not
    "028-87331234",  # a landline is not a sign-in
    "13812345678 转 801",
    "+1 138 1234 5678",
])
def test_what_is_not_a_mainland_mobile_is_refused(typed):
    assert not is_valid_mobile(normalize_mobile(typed))


def test_a_refused_mobile_is_kept_as_typed_less_the_spacing():
    """The form shows back what was typed, tidied, so the person can see the slip."""
    assert normalize_mobile("138 1234 567") == "1381234567"


# --- service phones: kept and shown as 028-87331234 ---


@pytest.mark.parametrize("typed, kept", [
    ("028-87331234", "028-87331234"),
    ("02887331234", "028-87331234"),
    ("028 8733 1234", "028-87331234"),
    ("(028) 8733 1234", "028-87331234"),
    ("(028)87331234", "028-87331234"),
    ("（０２８）８７３３１２３４", "028-87331234"),  # full-width parentheses and digits
    ("０２８－８７３３１２３４", "028-87331234"),  # full-width dash
    ("028—87331234", "028-87331234"),
    ("+86 28 8733 1234", "028-87331234"),  # written from abroad: no trunk 0
    ("0086-28-87331234", "028-87331234"),
    ("+86 (28) 8733 1234", "028-87331234"),
    ("010 6512 3456", "010-65123456"),  # Beijing: a 3-digit area code
    ("01065123456", "010-65123456"),
    ("0832-2021234", "0832-2021234"),  # a 4-digit area code, a 7-digit number
    ("08322021234", "0832-2021234"),
    ("0371 6630 1234", "0371-66301234"),
    ("037166301234", "0371-66301234"),
    ("028-87331234-801", "028-87331234-801"),
    ("028-87331234 转 801", "028-87331234-801"),
    ("028-87331234转801", "028-87331234-801"),
    ("028 8733 1234 分机 801", "028-87331234-801"),
    ("028-87331234 ext. 801", "028-87331234-801"),
    ("028-87331234 x801", "028-87331234-801"),
    ("138 1234 5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("12349", "12349"),  # the elderly-care hotline
    ("96333", "96333"),
])
def test_a_service_phone_typed_any_usual_way_is_kept_one_way(typed, kept):
    assert service_phone(typed) == kept
    assert service_phone(kept) == kept  # and saving it again changes nothing


@pytest.mark.parametrize("typed", [
    "",
    None,
    "12-34",
    "028-123",  # too short
    "87331234",  # no area code
    "028-873312345",  # 9 digits after the area code
    "0288733123456",  # too long to split
    "028-8733ABCD",
    "call us",
    "028-87331234-1234567",  # extension too long
    "13812345678-801",  # a mobile has no extension
    "1381234567",
    "13٨١٢٣٤٥٦٧٨",
    "028-٨٧٣٣١٢٣٤",
    "+1 212 555 0100",
])
def test_what_is_not_a_phone_number_is_refused(typed):
    assert service_phone(typed) is None


def test_the_point_form_keeps_the_phone_in_its_one_form(app):
    field = SimpleNamespace(data="（028）8733 1234 转 801")
    valid_phone(None, field)
    assert field.data == "028-87331234-801"
    with pytest.raises(StopValidation, match="不是电话号码"):
        valid_phone(None, SimpleNamespace(data="028-8733ABCD"))


# --- dialling ---


@pytest.mark.parametrize("phone, digits", [
    ("028-87331234", "02887331234"),
    ("13812345678", "13812345678"),
    ("12349", "12349"),
    # An extension follows a pause, dialled once the switchboard answers; glued to the
    # number it would dial a number that does not exist.
    ("028-87331234-801", "02887331234,801"),
    # Numbers kept before there was one rule (a community's hotline, typed freely).
    ("(028) 8733 1234", "02887331234"),
    ("+86 28 8733 1234", "02887331234"),
    ("ask at the desk", ""),
    (None, ""),
])
def test_a_call_link_dials_the_digits(phone, digits):
    assert dial(phone) == digits


def test_every_template_dials_with_the_same_rule(app):
    with app.test_request_context():
        assert render_template_string("{{ '028-87331234-801'|dial }}") == "02887331234,801"


def test_a_point_page_calls_its_extension_after_a_pause(client, world):
    point = make_point(world["community"], phone="028-87331234-801")
    page = text(client.get(f"/services/{point.id}"))
    assert 'href="tel:02887331234,801"' in page
