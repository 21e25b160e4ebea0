"""Open311 GeoReport v2: services, the public 大事 as requests with the spec's fields and no
personal data, the filters and their errors, paging, one request."""

import json
from datetime import date, timedelta

import pytest

from portal.councils.models import CATEGORIES, RequestPhoto
from portal.extensions import db

BASE = "/councils/open311/v2"
FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code",
          "description", "agency_responsible", "service_notice", "requested_datetime",
          "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
          "long", "media_url"}


@pytest.fixture
def major(make_request, make_user, world, department, now):
    """A public 大事 of 王秀英's, referred to 区住建局, answer due in 15 days."""
    world["district"].postal_code = "610072"
    db.session.commit()
    requester = make_user(name="王秀英", courtyard=world["courtyard"], mobile="13912345678")
    return make_request(requester, title="道路塌陷", body="草堂东路人行道塌陷一处。",
                        category="transport", state="replied", klass="major",
                        department_id=department.id, due_on=date(2026, 5, 20),
                        department_reply="已安排施工队修复。", created_at=now - timedelta(days=3))


def _get(client, path, **params):
    response = client.get(BASE + path, query_string=params)
    return response, json.loads(response.get_data(as_text=True))


def test_services_are_the_categories(client):
    response, body = _get(client, "/services.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert [s["service_code"] for s in body] == list(CATEGORIES)
    assert set(body[0]) == {"service_code", "service_name", "description", "metadata", "type",
                            "keywords", "group"}
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in body)


def test_only_public_major_requests_appear(client, major, make_request, resident):
    make_request(resident, title="私密大事", state="referred", klass="major", public=False)
    make_request(resident, title="小事", state="with_council", klass="minor")
    make_request(resident, title="未分流", state="submitted")
    response, body = _get(client, "/requests.json")
    assert response.status_code == 200
    assert [item["service_request_id"] for item in body] == [major.number]


def test_the_fields_are_the_specs_and_nothing_personal(client, major):
    response, body = _get(client, "/requests.json")
    item = body[0]
    assert set(item) == FIELDS
    assert item["status"] == "open" and item["service_code"] == "transport"
    assert item["status_notes"] == "已安排施工队修复。"
    assert item["agency_responsible"] == "区住建局"
    assert item["description"] == "草堂东路人行道塌陷一处。"
    assert item["requested_datetime"].endswith("+08:00")
    assert item["expected_datetime"] == "2026-05-20T23:59:59+08:00"
    assert "草堂东路133号院" in item["address"] and item["zipcode"] == "610072"
    assert (item["lat"], item["long"]) == (30.6641, 104.0402)
    assert item["media_url"] is None
    raw = response.get_data(as_text=True)
    assert "王秀英" not in raw and "13912345678" not in raw and "requester" not in raw


def test_a_photo_is_linked_by_its_absolute_address(client, major, app):
    db.session.add(RequestPhoto(request_id=major.id, data=b"jpeg", width=1, height=1))
    db.session.commit()
    _response, body = _get(client, "/requests.json")
    assert body[0]["media_url"] == (app.config["PORTAL"]["BASE_URL"]
                                    + f"/councils/requests/{major.id}/photo")


def test_closed_requests_say_closed_and_filters_choose(client, major, make_request, resident,
                                                       department, now):
    closed = make_request(resident, title="噪音", category="environment", state="closed",
                          klass="major", department_id=department.id, outcome="done",
                          created_at=now - timedelta(days=1))
    _r, body = _get(client, "/requests.json")
    assert [i["service_request_id"] for i in body] == [closed.number, major.number]  # newest
    assert body[0]["status"] == "closed"
    assert [i["service_request_id"] for i in _get(client, "/requests.json",
                                                   status="open")[1]] == [major.number]
    assert [i["service_request_id"] for i in _get(client, "/requests.json",
                                                   service_code="environment")[1]] == [
        closed.number]
    assert len(_get(client, "/requests.json", service_code="environment,transport")[1]) == 2
    since = (now - timedelta(days=2)).isoformat() + "+00:00"
    assert [i["service_request_id"] for i in _get(client, "/requests.json",
                                                   start_date=since)[1]] == [closed.number]
    assert [i["service_request_id"] for i in _get(client, "/requests.json",
                                                   end_date=since)[1]] == [major.number]
    assert [i["service_request_id"] for i in _get(
        client, "/requests.json", service_request_id=f"{major.number},{closed.id}")[1]] == [
        closed.number, major.number]


@pytest.mark.parametrize("params", [
    {"start_date": "yesterday"}, {"end_date": "2026-13-01"}, {"status": "pending"},
    {"service_code": "<script>"}, {"page_size": "0"}, {"page_size": "ten"}, {"page": "-1"},
    {"start_date": "2026-05-02", "end_date": "2026-05-01"},
    {"service_request_id": "9" * 30}, {"start_date": "0001-01-01T00:00:00+08:00"},
])
def test_bad_parameters_are_a_georeport_error(client, major, params):
    response, body = _get(client, "/requests.json", **params)
    assert response.status_code == 400
    assert isinstance(body, list) and body[0]["code"] == 400 and body[0]["description"]
    assert "<script>" not in response.get_data(as_text=True)


def test_jurisdiction_is_this_portal_or_not_found(client, major, app):
    from urllib.parse import urlsplit
    host = urlsplit(app.config["PORTAL"]["BASE_URL"]).hostname
    assert _get(client, "/requests.json", jurisdiction_id=host)[0].status_code == 200
    response, body = _get(client, "/requests.json", jurisdiction_id="example.org")
    assert response.status_code == 404 and body[0]["code"] == 404


def test_pages_are_at_most_a_hundred(client, make_request, resident, now):
    for i in range(105):
        make_request(resident, title=f"大事{i}", state="referred", klass="major",
                     created_at=now - timedelta(minutes=i))
    assert len(_get(client, "/requests.json")[1]) == 50
    assert len(_get(client, "/requests.json", page_size="1000")[1]) == 100
    assert len(_get(client, "/requests.json", page_size="100", page="2")[1]) == 5
    first = _get(client, "/requests.json", page_size="10")[1]
    second = _get(client, "/requests.json", page_size="10", page="2")[1]
    assert not {i["service_request_id"] for i in first} & {
        i["service_request_id"] for i in second}


def test_one_request(client, major, make_request, resident):
    response, body = _get(client, f"/requests/{major.id}.json")
    assert response.status_code == 200 and len(body) == 1
    assert body[0]["service_request_id"] == major.number
    hidden = make_request(resident, state="referred", klass="major", public=False)
    minor = make_request(resident, state="with_council", klass="minor")
    for request_id in (hidden.id, minor.id, 999999):
        response, body = _get(client, f"/requests/{request_id}.json")
        assert response.status_code == 404 and body[0]["code"] == 404
