"""The residents' request pages over HTTP: raising one (and 代录), the request page with its
timeline, 我也遇到, visibility of private requests, 我的诉求 and the home section."""

import io

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.councils import states
from portal.councils.models import Request, RequestPhoto, RequestSupport
from portal.extensions import db
from tests.councils.test_photos import jpeg_with_gps
from tests.helpers import audit_page, text

NEW = "/councils/requests/new"


@pytest.fixture
def zh(app):
    """zh(msgid) -> the words as a Chinese page shows them (escaped), from the catalogue."""

    def say(msgid, **values):
        with app.test_request_context(), force_locale("zh_Hans"):
            return str(escape(gettext(msgid, **values)))

    return say


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _form(**changes):
    return {"body": "三单元楼道灯坏了一个月", "category": "environment", "public": "yes",
            **changes}


def test_from_home_in_four_steps(client, login, resident, zh):
    login(resident)
    home = text(client.get("/"))
    assert f'href="{NEW}"' in home and zh("Raise a problem") in home  # 1: the button
    page = client.get(NEW)
    assert page.status_code == 200
    audit_page(page)
    # 2: type, 3: tap a category, 4: send (public is already chosen)
    response = client.submit(NEW, {"body": "楼道灯坏了", "category": "environment",
                                   "public": "yes"}, token_from=NEW)
    assert response.status_code == 303
    row = db.session.scalar(select(Request))
    assert response.headers["Location"].endswith(f"/councils/requests/{row.id}")
    assert (row.requester_id, row.public, row.title) == (resident.id, True, "楼道灯坏了")
    shown = client.get(response.headers["Location"])
    assert row.number in text(shown) and "王**" in text(shown)
    audit_page(shown)


def test_a_photo_is_kept_reencoded_and_shown_only_to_who_may_see(client, login, resident,
                                                                  stranger):
    login(resident)
    data = _form(public="no", photo=(io.BytesIO(jpeg_with_gps((800, 600))), "p.jpg"))
    response = client.submit(NEW, data, token_from=NEW, content_type="multipart/form-data")
    assert response.status_code == 303
    row = db.session.scalar(select(Request))
    photo = db.session.scalar(select(RequestPhoto))
    assert photo.request_id == row.id and len(photo.data) <= 200 * 1024
    shown = client.get(f"/councils/requests/{row.id}/photo")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert "private" in shown.headers["Cache-Control"]
    login(stranger)
    assert client.get(f"/councils/requests/{row.id}/photo").status_code == 404


@pytest.mark.parametrize("photo, message", [
    ((io.BytesIO(b"not a picture at all"), "photo.jpg"),
     "This is not a photo we can read. Send a JPEG or PNG picture."),
    (None, None),
])
def test_bad_input_is_kept_and_nothing_written(client, login, resident, photo, message, zh):
    login(resident)
    data = _form(body="<script>alert(1)</script>" + "长" * 2100)
    if photo:
        data = _form(body="<script>alert(1)</script>路灯", photo=photo)
    response = client.submit(NEW, data, token_from=NEW, content_type="multipart/form-data")
    assert response.status_code == 422
    page = text(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'class="error-summary"' in page
    assert (zh(message) if message else "最多") in page
    assert _count(Request) == 0 and _count(RequestPhoto) == 0


def test_an_empty_body_and_no_category_are_named(client, login, resident, zh):
    login(resident)
    response = client.submit(NEW, {"body": " ", "public": "yes"}, token_from=NEW)
    assert response.status_code == 422
    assert zh("Write what is wrong, in your own words.") in text(response)
    assert zh("Choose what it is about.") in text(response)
    assert _count(Request) == 0


def test_thirty_megabytes_is_refused_without_an_error(client, login, resident):
    login(resident)
    # Built by hand: the test client would spool a file part to a temporary file.
    body = (b'--x\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n" + b"\0" * (30 * 1024 * 1024) + b"\r\n--x--\r\n")
    response = client.post(NEW, data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413  # refused before it is read
    assert _count(Request) == 0


def test_the_similar_list_refreshes_for_htmx(client, login, resident, neighbour, make_request,
                                            zh):
    make_request(neighbour, title="楼道灯坏了", body="三单元楼道灯坏了")
    make_request(neighbour, title="垃圾没人收", body="垃圾桶满了")
    login(resident)
    page = text(client.get(NEW))
    assert zh("Is it one of these?") in page and "垃圾没人收" in page  # there without JS
    block = text(client.get(NEW + "?body=楼道的灯", headers={"HX-Request": "true"}))
    assert "楼道灯坏了" in block and "垃圾没人收" not in block and "<html" not in block


def test_the_text_box_comes_first_and_a_similar_one_is_one_tap(client, login, resident,
                                                              neighbour, make_request):
    """"是这个问题吗？" sits under the text box, inside the form: its button sends the form to
    我也遇到 (its token, not the photo), so a neighbour's problem is joined in one tap."""
    original = make_request(neighbour, title="楼道灯坏了", body="三单元楼道灯坏了")
    login(resident)
    html = client.get(NEW).get_data(as_text=True)
    form = html[html.index('<form method="post" action="' + NEW):]
    form = form[:form.index("</form>")]
    support = f"/councils/requests/{original.id}/support"
    listed = form.index(f'href="/councils/requests/{original.id}"')
    assert form.index('name="body"') < listed < form.index('name="photo"')
    assert f'formaction="{support}"' in form
    assert 'formenctype="application/x-www-form-urlencoded"' in form
    # What the browser sends for that button: the whole form, to the button's address.
    response = client.submit(support, {"body": "我家楼道的灯也坏了"}, token_from=NEW)
    assert response.status_code == 303
    assert db.session.scalar(select(RequestSupport.user_id).where(
        RequestSupport.request_id == original.id)) == resident.id
    assert _count(Request) == 1  # nothing new was raised


def test_a_leader_records_for_a_neighbour(client, login, make_user, neighbour, world):
    leader = login(make_user(name="张院长", courtyard=world["courtyard"],
                             roles=[("courtyard_leader", world["courtyard"])]))
    page = "/councils/requests/record"
    response = client.submit(page, _form(mobile=neighbour.mobile), token_from=page)
    assert response.status_code == 303
    row = db.session.scalar(select(Request))
    assert (row.requester_id, row.recorded_by_id) == (neighbour.id, leader.id)
    shown = text(client.get(f"/councils/requests/{row.id}"))
    assert "张**" in shown and "赵**" in shown


def test_a_leader_cannot_record_for_a_stranger(client, login, make_user, stranger, world, zh):
    login(make_user(roles=[("courtyard_leader", world["courtyard"])],
                    courtyard=world["courtyard"]))
    page = "/councils/requests/record"
    response = client.submit(page, _form(mobile=stranger.mobile), token_from=page)
    assert response.status_code == 422
    assert zh("This neighbour does not live in a courtyard you lead.") in text(response)
    assert stranger.mobile in text(response)
    assert _count(Request) == 0


def test_private_requests_are_seen_only_by_those_concerned(client, login, resident, stranger,
                                                           worker, outside_worker,
                                                           make_request):
    row = make_request(resident, public=False)
    path = f"/councils/requests/{row.id}"
    assert client.get(path).status_code == 404  # anonymous
    for person, status in ((resident, 200), (worker, 200), (stranger, 404),
                           (outside_worker, 404)):
        login(person)
        assert client.get(path).status_code == status


def test_the_timeline_says_who_did_what(client, login, resident, worker, make_request, now):
    row = make_request(resident)
    states.note(row, "submit", resident, "resident", now)
    states.move(row, "guide", worker, "community_worker", now,
                text="<b>请</b>到社区服务中心办理。\n\n带上身份证。")
    db.session.commit()
    page = text(client.get(f"/councils/requests/{row.id}"))
    assert "王**" in page and "李**" in page and "李晓梅" not in page
    assert "<p>&lt;b&gt;请&lt;/b&gt;到社区服务中心办理。</p>" in page
    assert "<p>带上身份证。</p>" in page


def test_support_once_and_the_page_says_so(client, login, resident, neighbour, make_request,
                                          zh):
    row = make_request(resident)
    login(neighbour)
    path = f"/councils/requests/{row.id}"
    assert zh("I have this problem too") in text(client.get(path))
    for _tap in range(2):
        response = client.submit(f"{path}/support", token_from=path)
        assert response.status_code == 303
    db.session.refresh(row)
    assert (row.support_count, _count(RequestSupport)) == (1, 1)
    assert zh("You said you have this problem too. You are told at each step.") in text(
        client.get(path))


WHO = ["resident_here", "resident_elsewhere", "leader_here", "leader_elsewhere",
       "worker_here", "worker_elsewhere", "admin", "anonymous"]


@pytest.fixture
def person(make_user, world, login):
    """The signed-in person of a permission matrix; "elsewhere" people live elsewhere."""

    def sign_in(who):
        if who == "anonymous":
            return None
        here, there = world["courtyard"], world["other_courtyard"]
        roles = {"leader_here": [("courtyard_leader", here)],
                 "leader_elsewhere": [("courtyard_leader", there)],
                 "worker_here": [("community_worker", world["community"])],
                 "worker_elsewhere": [("community_worker", world["other_community"])],
                 "admin": [("admin", world["city"])]}.get(who, [])
        home = there if who.endswith("elsewhere") else here
        return login(make_user(courtyard=home, roles=roles))

    return sign_in


@pytest.mark.parametrize("who", WHO)
def test_who_may_raise_a_request(client, person, who):
    person(who)
    response = client.submit(NEW, _form())
    # Everyone signed in raises one in their own home courtyard.
    assert response.status_code == (302 if who == "anonymous" else 303)
    assert _count(Request) == (0 if who == "anonymous" else 1)


@pytest.mark.parametrize("who", WHO)
def test_who_may_record_for_a_neighbour(client, person, neighbour, who):
    person(who)
    response = client.submit("/councils/requests/record", _form(mobile=neighbour.mobile))
    allowed = who in ("leader_here", "admin")
    expected = {"anonymous": 302, "leader_elsewhere": 422}.get(who, 303 if allowed else 403)
    assert response.status_code == expected
    assert _count(Request) == (1 if allowed else 0)


@pytest.mark.parametrize("who", WHO)
def test_who_may_say_they_have_it_too(client, person, resident, make_request, who):
    row = make_request(resident)
    person(who)
    response = client.submit(f"/councils/requests/{row.id}/support")
    # Residents of the community (an admin is one everywhere).
    allowed = who in ("resident_here", "leader_here", "worker_here", "admin")
    expected = 303 if allowed else 302 if who == "anonymous" else 403
    assert response.status_code == expected
    assert _count(RequestSupport) == (1 if allowed else 0)


def test_a_private_request_cannot_be_supported(client, login, resident, neighbour,
                                               make_request):
    row = make_request(resident, public=False)
    login(neighbour)
    assert client.submit(f"/councils/requests/{row.id}/support").status_code == 404
    assert _count(RequestSupport) == 0


def test_mine_and_the_home_section_list_my_requests(client, login, resident, neighbour,
                                                    make_request):
    make_request(resident, title="我的楼道灯")
    make_request(resident, title="早就关了", state="closed")
    theirs = make_request(neighbour, title="邻居的事")
    db.session.add(RequestSupport(request_id=theirs.id, user_id=resident.id))
    login(resident)
    home = text(client.get("/"))
    assert "我的楼道灯" in home and "早就关了" not in home and "邻居的事" not in home
    mine = client.get("/councils/requests/mine")
    assert all(t in text(mine) for t in ("我的楼道灯", "早就关了", "邻居的事"))
    audit_page(mine)


def test_visitors_see_the_button_and_are_asked_to_sign_in(client, world, zh):
    assert f'href="{NEW}"' in text(client.get("/"))
    assert client.get(NEW).status_code == 302


def test_a_three_megabyte_photo_reaches_the_form_where_other_forms_stop_at_two(
        client, login, resident):
    """Phones' photos are often 2–5 MB: the request form takes them (and the rule shrinks
    them), while every other form still refuses a body over 2 MB."""
    import io

    from PIL import Image

    login(resident)
    noise = Image.effect_noise((1400, 1400), 100).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert 2 * 1024 * 1024 < buffer.tell() < 5 * 1024 * 1024
    fields = {"csrf_token": client.csrf_token(NEW), "body": "楼道灯坏了",
              "category": "environment", "public": "yes"}
    # Built by hand: the test client would spool the file part to a temporary file.
    body = b"".join(f'--x\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode() for name, value in fields.items())
    body += (b'--x\r\nContent-Disposition: form-data; name="photo"; filename="light.png"'
             b"\r\nContent-Type: image/png\r\n\r\n" + buffer.getvalue() + b"\r\n--x--\r\n")
    response = client.post(NEW, data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 303
    assert _count(Request) == 1


def test_a_duplicate_points_to_its_original_and_claims_no_class(
        client, login, resident, neighbour, worker, make_request, now, zh):
    from portal.councils import triage

    original = make_request(neighbour, title="三单元楼道灯不亮")
    copy = make_request(resident, title="楼道灯坏了")
    triage.mark_duplicate(copy, original, worker, now)
    db.session.commit()
    login(resident)
    page = text(client.get(f"/councils/requests/{copy.id}"))
    assert zh("Same as") in page and zh("Request No. %(number)s", number=original.number) in page
    assert zh("Not yet sorted") not in page and zh("Class") not in page
