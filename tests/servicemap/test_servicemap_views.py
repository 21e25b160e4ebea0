"""Service map over HTTP: the list and its nonsense query strings, a point's page, who may
keep which point (404 then 403), every bad input (422, message, input kept, nothing
written), coverage, and the weight of every page."""

import re
from datetime import date, timedelta

import pytest

from portal.audit import AuditEntry
from portal.extensions import db
from portal.places.tree import add_place
from portal.servicemap.models import HoursException, ServiceHours, ServicePoint
from portal.timeutil import local_today
from tests.factories import NEVER, make_point, offset
from tests.helpers import audit_page, text

ZH = {"Accept-Language": "zh-CN"}




def choose(client, courtyard):
    client.set_cookie("courtyard", str(courtyard.id))


# --- the list ---

def test_home_page_links_to_the_service_map_by_name(client, world):
    page = text(client.get("/", headers=ZH))
    assert '<a href="/services/">服务地图' in page


def test_list_near_my_courtyard_nearest_first_with_walking_minutes(client, world, meal):
    make_point(world["community"], "远一点的卫生站", "health", 30.6700, 104.0430)
    choose(client, world["courtyard"])
    page = text(client.get("/services/", headers=ZH))
    assert "从草堂东路133号院出发，由近到远。" in page
    assert page.index("草堂长者食堂") < page.index("远一点的卫生站")
    assert "130 米 · 步行 4 分钟" in page
    assert "现在开放" in page and 'role="img"' in page  # open round the clock; the mini-map
    # "By community": a filter like the others.
    community = world["community"].id
    assert f'name="place" value="{community}"> <label for="place">只看草堂路社区的' in page


def test_list_without_a_courtyard_asks_for_one_and_lists_by_kind(client, world, meal):
    page = text(client.get("/services/", headers=ZH))
    assert "选择您的院落" in page and "草堂长者食堂" in page and 'role="img"' not in page


def test_typed_courtyard_name_is_the_starting_point(client, world, meal):
    page = text(client.get("/services/?near=浣花南路", headers=ZH))
    assert "从浣花南路21号院出发" in page
    page = text(client.get("/services/?near=草堂", headers=ZH))  # two courtyards: which one?
    assert f"from={world['courtyard'].id}" in page and f"from={world['courtyard2'].id}" in page
    assert "没有叫这个名字的院落" in text(client.get("/services/?near=火星", headers=ZH))


def test_location_from_the_browser_is_the_starting_point(client, world, meal):
    page = text(client.get("/services/?lat=30.66410&lon=104.04020", headers=ZH))
    assert "从您现在的位置出发" in page and "130 米" in page


def test_filters_narrow_the_list(client, world, meal):
    make_point(world["community"], "不开门的卫生站", "health", 30.6642, 104.0403, week=NEVER,
               step_free=True)
    choose(client, world["courtyard"])
    assert "不开门的卫生站" not in text(client.get("/services/?category=meals"))
    assert "不开门的卫生站" not in text(client.get("/services/?open=1"))
    only_step_free = text(client.get("/services/?step_free=1"))
    assert "不开门的卫生站" in only_step_free and "草堂长者食堂" not in only_step_free
    assert "草堂长者食堂" in text(client.get("/services/?within=15"))
    assert "草堂长者食堂" not in text(client.get("/services/?within=1"))
    other = text(client.get(f"/services/?place={world['other_community'].id}"))
    assert "草堂长者食堂" not in other


def test_a_nul_character_in_the_address_is_refused(client):
    assert client.get("/services/?category=%00%FF", headers=ZH).status_code == 400


@pytest.mark.parametrize("query", [
    "within=-5", "within=abc", "within=1000", "category=karaoke", "open=maybe",
    "step_free=2", "page=0", "page=abc", "page=99999", "place=abc", "place=987654",
    "from=987654", "lat=100&lon=104", "lat=abc&lon=104", "lat=30.6", "lon=104",
    "lat=nan&lon=nan", "category=meals&within=-5", "category=%FF",
])
def test_nonsense_in_the_address_gives_the_unfiltered_list_with_a_notice(client, world, meal,
                                                                          query):
    make_point(world["community"], "卫生站", "health", 30.6642, 104.0403)
    response = client.get(f"/services/?{query}", headers=ZH)
    assert response.status_code == 200
    page = text(response)
    assert "网址里有些内容看不懂，所以显示全部服务" in page
    assert "草堂长者食堂" in page and "卫生站" in page


def test_nonsense_is_named_beside_its_filter_as_text_never_markup(client, world, meal):
    choose(client, world["courtyard"])
    response = client.get("/services/?open=<b>x</b>&category=meals", headers=ZH)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="open-error"' in body and 'aria-describedby="open-error"' in body
    assert "&lt;b&gt;x&lt;/b&gt;" in body and "<b>x</b>" not in body
    # The page's links and hidden fields carry only what made sense.
    assert "open=%3Cb" not in body and 'value="<b>' not in body


def test_htmx_gets_only_the_results_block(client, world, meal):
    choose(client, world["courtyard"])
    response = client.get("/services/?category=meals", headers={"HX-Request": "true", **ZH})
    body = text(response)
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    # The page itself carries the htmx wiring on a real form and real links.
    page = text(client.get("/services/"))
    assert 'hx-get="/services/" hx-trigger="change, submit"' in page
    assert 'href="/services/?category=meals" hx-get="/services/?category=meals"' in page


def test_pages_of_results(client, world):
    for i in range(12):
        make_point(world["community"], f"点{i:02d}", "meals", *offset(30.6641, 104.0402,
                                                                     north_m=20 * (i + 1)),
                   commit=False)
    db.session.commit()
    choose(client, world["courtyard"])
    first = text(client.get("/services/", headers=ZH))
    assert "点09" in first and "点10" not in first and "page=2" in first
    second = text(client.get("/services/?page=2", headers=ZH))
    assert "点10" in second and "点11" in second and "点09" not in second
    assert 'start="11"' in second


# --- a point's page ---

def test_point_page_has_hours_call_button_and_walk(client, world, meal):
    choose(client, world["courtyard"])
    response = client.get(f"/services/{meal.id}", headers=ZH)
    page = text(response)
    assert 'class="button big call" href="tel:02887335566"' in page
    assert "打电话 <span class=\"unbroken phone\">028-87335566</span>" in page
    assert "在草堂东路133号院东北边约 130 米，走路约 4 分钟。" in page
    assert 'class="today"' in page and "信息核实于 2026年3月1日" in page
    assert 'href="/organizations/' in page  # the operator's page
    assert "修改信息" not in page  # visitors do not see what they may not do


def test_point_page_of_a_temporarily_closed_point(client, world):
    point = make_point(world["community"], "暂停的食堂", status="temporarily_closed",
                       status_note="厨房改造")
    page = text(client.get(f"/services/{point.id}", headers=ZH))
    assert "暂停开放" in page and "厨房改造" in page


def test_point_page_shows_todays_exception(client, world):
    today = local_today()
    point = make_point(world["community"], "今天休息的食堂",
                       exceptions=[(today, True, "", "清明节"),
                                   (today + timedelta(days=2), False, "09:00-10:00", "半天")])
    page = text(client.get(f"/services/{point.id}", headers=ZH))
    assert "今天：不开放" in page and "清明节" in page and "09:00-10:00" in page


def test_missing_point_is_not_found(client, world):
    assert client.get("/services/424242").status_code == 404


# --- who may keep which point ---

WRITES = [
    ("get", "/services/{id}/edit"),
    ("post", "/services/{id}/edit"),
    ("get", "/services/{id}/hours"),
    ("post", "/services/{id}/hours"),
    ("post", "/services/{id}/exceptions"),
    ("post", "/services/{id}/exceptions/{day}/remove"),
    ("post", "/services/{id}/verified"),
]
VALID_HOURS = {"monday": "09:00-12:00", "tuesday": "", "wednesday": "", "thursday": "",
               "friday": "", "saturday": "", "sunday": ""}


def point_form(world, **changes):
    data = {"name": "草堂长者食堂", "category": "meals", "place_id": world["community"].id,
            "operator_id": world["organization"].id, "address": "草堂东路135号",
            "latitude": "30.6649", "longitude": "104.0412", "phone": "028-87335566",
            "price": "low_cost", "services": "午餐12元", "directions": "一楼",
            "status": "active", "status_note": "", "verified_on": "2026-03-01"}
    data.update(changes)
    return data


def send(client, method, url, world, day):
    if method == "get":
        return client.get(url)
    data = {}
    if url.endswith("/edit"):
        data = point_form(world, name="改过的名字")
    elif url.endswith("/hours"):
        data = VALID_HOURS
    elif url.endswith("/exceptions"):
        data = {"day": (day + timedelta(days=1)).isoformat(), "kind": "closed", "note": "x"}
    return client.submit(url, data)


@pytest.mark.parametrize("method, path", WRITES)
@pytest.mark.parametrize("who, allowed", [
    (None, None), ("resident", False), ("other_worker", False), ("other_staff", False),
    ("worker", True), ("staff", True), ("admin", True),
])
def test_who_may_keep_a_point(client, world, meal, people, login, method, path, who, allowed):
    day = local_today() + timedelta(days=5)
    make_point_exception = HoursException(point_id=meal.id, day=day, closed=True)
    db.session.add(make_point_exception)
    db.session.commit()
    if who:
        login(people[who])
    url = path.format(id=meal.id, day=day.isoformat())
    response = send(client, method, url, world, day)
    if allowed is None:
        assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    elif allowed:
        assert response.status_code == (200 if method == "get" else 303)
    else:
        assert response.status_code == 403
    db.session.expire_all()
    point = db.session.get(ServicePoint, meal.id)
    written = allowed and method == "post"
    expected = {"name": "草堂长者食堂", "verified_on": date(2026, 3, 1), "hours": 7,
                "exceptions": [day]}
    if written:  # what each write changes, and nothing else
        expected.update({
            "/services/{id}/edit": {"name": "改过的名字"},
            "/services/{id}/hours": {"hours": 1},
            "/services/{id}/exceptions": {"exceptions": [day, day + timedelta(days=1)]},
            "/services/{id}/exceptions/{day}/remove": {"exceptions": []},
            "/services/{id}/verified": {"verified_on": local_today()},
        }[path])
    assert {"name": point.name, "verified_on": point.verified_on, "hours": len(point.hours),
            "exceptions": sorted(e.day for e in point.exceptions)} == expected


@pytest.mark.parametrize("method, path", WRITES)
def test_a_missing_point_is_404_before_403(client, world, people, login, method, path):
    login(people["resident"])
    url = path.format(id=424242, day="2026-05-01")
    response = send(client, method, url, world, local_today())
    assert response.status_code == 404


def test_staff_of_a_point_without_an_operator_may_not_edit_it(client, world, people, login):
    point = make_point(world["community"], "社区自己办的点")
    login(people["staff"])
    assert client.get(f"/services/{point.id}/edit").status_code == 403


def test_organization_staff_keep_details_but_not_place_or_operator(client, world, meal, people,
                                                                    login):
    login(people["staff"])
    page = text(client.get(f"/services/{meal.id}/edit", headers=ZH))
    assert 'name="place_id"' not in page and 'name="operator_id"' not in page
    response = client.submit(f"/services/{meal.id}/edit", point_form(
        world, name="改名的食堂", place_id=world["other_community"].id, operator_id=""))
    assert response.status_code == 303
    db.session.expire_all()
    point = db.session.get(ServicePoint, meal.id)
    assert point.name == "改名的食堂"
    assert point.place == world["community"] and point.operator == world["organization"]


def test_edit_links_show_only_to_those_who_may_edit(client, world, meal, people, login):
    for who, shown in (("worker", True), ("staff", True), ("other_worker", False),
                       ("resident", False)):
        login(people[who])
        assert ("修改信息" in text(client.get(f"/services/{meal.id}", headers=ZH))) is shown, who


def test_worker_adds_a_point_then_its_hours(client, world, people, login):
    login(people["worker"])
    assert client.get("/services/new").status_code == 200
    response = client.submit("/services/new", point_form(world, name="新的阅读点",
                                                         category="reading", operator_id=""))
    assert response.status_code == 303
    point = db.session.scalar(db.select(ServicePoint).filter_by(name="新的阅读点"))
    assert point.place == world["community"] and point.operator is None
    assert response.headers["Location"] == f"/services/{point.id}/hours"
    response = client.submit(f"/services/{point.id}/hours",
                             dict(VALID_HOURS, saturday="20:00-次日02:00"))
    assert response.status_code == 303
    db.session.expire_all()
    assert [(h.weekday, h.opens, h.closes) for h in point.hours] == [(0, 540, 720),
                                                                      (5, 1200, 1560)]


@pytest.mark.parametrize("who", [None, "resident", "staff", "other_staff"])
def test_only_community_workers_add_points(client, world, people, login, who):
    if who:
        login(people[who])
    response = client.get("/services/new")
    assert response.status_code == (302 if who is None else 403)
    if who:
        before = db.session.scalar(db.select(db.func.count(ServicePoint.id)))
        assert client.submit("/services/new", point_form(world)).status_code == 403
        assert db.session.scalar(db.select(db.func.count(ServicePoint.id))) == before


def test_worker_verifies_and_manages(client, world, meal, people, login):
    login(people["worker"])
    assert client.post(f"/services/{meal.id}/verified").status_code == 400  # no CSRF token
    assert client.submit(f"/services/{meal.id}/verified").status_code == 303
    db.session.expire_all()
    assert db.session.get(ServicePoint, meal.id).verified_on == local_today()
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="servicepoint.verified"))
    assert entry.actor_id == people["worker"].id and entry.subject_id == meal.id
    page = text(client.get("/services/manage", headers=ZH))
    assert "草堂长者食堂" in page and "添加服务点" in page


@pytest.mark.parametrize("who, status, listed", [
    (None, 302, False), ("resident", 403, False), ("worker", 200, True), ("staff", 200, True),
    ("other_staff", 200, False), ("other_worker", 200, False),
])
def test_manage_lists_only_what_one_keeps(client, world, meal, people, login, who, status,
                                          listed):
    if who:
        login(people[who])
    response = client.get("/services/manage")
    assert response.status_code == status
    assert ("草堂长者食堂" in text(response)) is listed


# --- bad input: 422, message beside the field, input kept, nothing written ---

@pytest.mark.parametrize("field, value, message", [
    ("latitude", "91", "纬度是 -90 到 90 之间的数"),
    ("latitude", "北纬三十度", "不是正确的纬度"),
    ("latitude", "", "请填写纬度"),
    ("longitude", "200.5", "经度是 -180 到 180 之间的数"),
    ("longitude", "1e999", "不是正确的经度"),
    ("latitude", "31.6649", "这个位置离草堂路社区有 111 公里"),
    ("phone", "12-34", "不是电话号码"),
    ("phone", "028-123", "不是电话号码"),
    ("category", "karaoke", "请从列出的服务类别中选择"),
    ("place_id", "OTHER", "您只能管理自己工作的社区里的服务点"),
    ("operator_id", "OTHER_ORG", "请从列出的组织中选择"),
    ("price", "gratis", "请从列出的收费方式中选择"),
    ("status", "asleep", "请从列出的状态中选择"),
    ("name", "", "请填写服务点名称"),
    ("name", "长" * 101, "最多 100 个字"),
    ("verified_on", "2099-01-01", "这个日期还没到"),
    ("verified_on", "2026-02-30", "没有“2026-02-30”这一天"),
    ("verified_on", "上个月", "日期请写成 2026-05-01 这样"),
])
def test_bad_point_details_are_refused(client, world, meal, people, login, field, value,
                                       message):
    value = {"OTHER": str(world["other_community"].id),
             "OTHER_ORG": str(world["other_organization"].id)}.get(value, value)
    login(people["worker"])
    response = client.submit(f"/services/{meal.id}/edit",
                             point_form(world, **{field: value, "address": "新地址"}),
                             headers=ZH)
    assert response.status_code == 422
    page = text(response)
    assert "有问题需要修改" in page  # the summary at the top
    assert message in page
    assert f'id="{field}-error"' in page  # beside the field, too
    assert "新地址" in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(ServicePoint, meal.id).address == "草堂东路135号"


def test_a_new_point_outside_the_workers_scope_is_refused(client, world, people, login):
    login(people["worker"])
    response = client.submit("/services/new", point_form(
        world, name="别的社区的点", place_id=world["other_community"].id), headers=ZH)
    assert response.status_code == 422
    assert "您只能管理自己工作的社区里的服务点" in text(response)
    assert db.session.scalar(db.select(ServicePoint).filter_by(name="别的社区的点")) is None


@pytest.mark.parametrize("day, value, message", [
    ("monday", "17:00-08:00", "关门比开门还早"),
    ("monday", "22:00-02:00", "请写“次日”"),
    ("tuesday", "08:00-11:30, 11:00-13:00", "时间重叠了"),
    ("wednesday", "25:00-26:00", "不是正确的时间"),
    ("thursday", "早上八点到十一点", "看不懂"),
    ("friday", "08:00-08:00", "开门和关门是同一时间"),
])
def test_bad_weekly_hours_are_refused(client, world, meal, people, login, day, value, message):
    login(people["worker"])
    response = client.submit(f"/services/{meal.id}/hours", dict(VALID_HOURS, **{day: value}),
                             headers=ZH)
    assert response.status_code == 422
    page = text(response)
    assert message in page and f'id="{day}-error"' in page
    assert f'value="{value}"' in page
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(ServiceHours.id)).where(
        ServiceHours.point_id == meal.id)) == 7


def test_a_night_running_into_the_next_morning_is_refused(client, world, meal, people, login):
    login(people["worker"])
    response = client.submit(f"/services/{meal.id}/hours",
                             dict(VALID_HOURS, monday="22:00-次日03:00", tuesday="02:00-05:00"),
                             headers=ZH)
    assert response.status_code == 422 and 'id="tuesday-error"' in text(response)


@pytest.mark.parametrize("form, message", [
    ({"day": "2026-02-30"}, "没有“2026-02-30”这一天"),
    ({"day": "2026-13-01"}, "没有“2026-13-01”这一天"),
    ({"day": "2020-01-01"}, "这个日期已经过去了"),
    ({"day": "下周一"}, "日期请写成 2026-05-01 这样"),
    ({"day": ""}, "请填写日期"),
    ({"kind": "special", "hours": ""}, "请填写特殊开放时间"),
    ({"kind": "special", "hours": "12:00-09:00"}, "关门比开门还早"),
    ({"kind": "closed", "hours": "09:00-12:00"}, "您填了时间，却选了“全天关门”"),
    ({"kind": "sometimes"}, "请从列出的选项中选择"),
])
def test_bad_exceptions_are_refused(client, world, meal, people, login, form, message):
    login(people["worker"])
    data = {"day": (local_today() + timedelta(days=3)).isoformat(), "kind": "closed",
            "hours": "", "note": "清明节", **form}
    response = client.submit(f"/services/{meal.id}/exceptions", data, headers=ZH)
    assert response.status_code == 422
    assert message in text(response) and "清明节" in text(response)
    assert db.session.scalar(db.select(db.func.count(HoursException.id))) == 0


def test_exceptions_are_added_replaced_and_removed(client, world, meal, people, login):
    login(people["worker"])
    day = local_today() + timedelta(days=3)
    url = f"/services/{meal.id}/exceptions"
    assert client.submit(url, {"day": day.isoformat(), "kind": "closed"}).status_code == 303
    assert client.submit(url, {"day": day.isoformat(), "kind": "special",
                               "hours": "09:00-10:00, 15:00-16:00", "note": "半天"}
                         ).status_code == 303
    rows = db.session.scalars(db.select(HoursException)).all()
    assert [(r.closed, r.opens, r.closes) for r in rows] == [(False, 540, 600),
                                                             (False, 900, 960)]
    remove = f"/services/{meal.id}/exceptions/{day.isoformat()}/remove"
    assert client.submit(remove).status_code == 303
    assert db.session.scalar(db.select(db.func.count(HoursException.id))) == 0
    for garbage in ("2026-02-30", "2026-W01-1", "20260501", "下周一"):
        assert client.submit(f"/services/{meal.id}/exceptions/{garbage}/remove"
                             ).status_code == 404, garbage


# --- coverage ---

@pytest.mark.parametrize("who, status", [
    (None, 302), ("resident", 403), ("other_worker", 403), ("staff", 403), ("worker", 200),
    ("admin", 200),
])
def test_coverage_is_for_community_workers(client, world, meal, people, login, who, status):
    if who:
        login(people[who])
    place = world["community"]
    assert client.get(f"/services/coverage/{place.id}").status_code == status
    assert client.get(f"/services/coverage/{place.id}.csv").status_code == status


def test_coverage_report_summary_table_and_csv(client, world, meal, people, login):
    login(people["worker"])
    page = text(client.get(f"/services/coverage/{world['community'].id}", headers=ZH))
    assert "每个院落步行 15 分钟内都有助餐点。" in page
    assert "2 个院落中有 2 个" in page  # no 党群服务中心 anywhere
    assert 'role="region"' in page and 'tabindex="0"' in page
    gaps = text(client.get(f"/services/coverage/{world['community'].id}?category=meals&gaps=1",
                           headers=ZH))
    assert "没有可显示的院落" in gaps
    response = client.get(f"/services/coverage/{world['community'].id}.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers[
        "Content-Disposition"]
    assert response.get_data(as_text=True).startswith("\ufeff")


def test_coverage_of_a_courtyard_or_a_missing_place_is_not_found(client, world, people, login):
    login(people["admin"])
    assert client.get(f"/services/coverage/{world['courtyard'].id}").status_code == 404
    assert client.get("/services/coverage/424242").status_code == 404


@pytest.mark.parametrize("query", ["category=karaoke", "gaps=maybe", "page=abc", "page=-1"])
def test_coverage_nonsense_query_gives_the_whole_report_with_a_notice(client, world, meal,
                                                                       people, login, query):
    login(people["worker"])
    response = client.get(f"/services/coverage/{world['community'].id}?{query}", headers=ZH)
    assert response.status_code == 200
    assert "网址里有些内容看不懂，所以显示完整报告" in text(response)
    assert "草堂东路133号院" in text(response)


# --- every page within budget, in both languages ---

def servicemap_pages(world, people):
    """(who, url) for every page of the service map, filled as at its busiest."""
    community = world["community"]
    for i in range(12):
        lat, lon = offset(30.6641, 104.0402, north_m=40 * i, east_m=30 * i)
        make_point(community, f"草堂社区第{i}号服务点（很长的名字用来测页面重量）", "meals",
                   lat, lon, operator=world["organization"], step_free=True,
                   accessible_toilet=True, lift=True, seats=True, commit=False)
    for i in range(60):
        lat, lon = offset(30.6641, 104.0402, north_m=25 * i, east_m=-20 * i)
        add_place("courtyard", f"草堂路社区第{i}号院落", community, latitude=lat, longitude=lon)
    db.session.commit()
    point = db.session.scalar(db.select(ServicePoint).order_by(ServicePoint.id))
    return [
        (None, "/"),
        (None, "/services/"),
        (None, "/services/?category=meals&open=1&step_free=1"),
        (None, "/services/?within=-5"),
        (None, "/services/?near=草堂"),
        (None, f"/services/{point.id}"),
        (people["worker"], "/services/manage"),
        (people["worker"], "/services/new"),
        (people["worker"], f"/services/{point.id}/edit"),
        (people["worker"], f"/services/{point.id}/hours"),
        (people["worker"], f"/services/coverage/{community.id}"),
        (people["admin"], f"/services/coverage/{world['city'].id}?gaps=1"),
    ]


@pytest.mark.parametrize("language, lang", [("zh-CN", "zh-Hans"), ("en", "en")])
def test_every_servicemap_page_states_its_language_and_fits_14kb(client, world, people, login,
                                                                  language, lang):
    client.set_cookie("courtyard", str(world["courtyard"].id))
    for who, url in servicemap_pages(world, people):
        if who:
            login(who)
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, url
        audit_page(response, lang)


def test_a_form_with_errors_fits_14kb_too(client, world, meal, people, login):
    login(people["worker"])
    response = client.submit(f"/services/{meal.id}/edit",
                             point_form(world, latitude="abc", longitude="", phone="x",
                                        name="", category="x", price="x", status="x"))
    assert response.status_code == 422
    audit_page(response)


# --- issue 8: bad input is a plain message, never a 500 ---

def test_editing_a_point_without_sending_the_checked_date_keeps_it(client, world, meal, people,
                                                                   login):
    login(people["worker"])
    data = point_form(world, name="改过的名字")
    del data["verified_on"]
    response = client.submit(f"/services/{meal.id}/edit", data)
    assert response.status_code == 303
    db.session.expire_all()
    point = db.session.get(ServicePoint, meal.id)
    assert (point.name, point.verified_on) == ("改过的名字", date(2026, 3, 1))


WS, BIG, NAN, NEG, LONG = " \t  ", "1e999999", "NaN", "-1", "9" * 10_000
SUMMARY_ITEM = re.compile(r'<div class="error-summary".*?</div>', re.S)


@pytest.mark.parametrize("form", ["new", "edit", "hours", "exception"])
def test_every_point_form_turns_bad_input_away_plainly(client, world, meal, people, login,
                                                       form):
    login(people["worker"])
    day = (local_today() + timedelta(days=3)).isoformat()
    path, good, bad = {
        "new": ("/services/new", point_form(world, name="新的点"),
                {"name": (WS, LONG), "category": (WS, BIG, NAN, NEG, LONG),
                 "place_id": (WS, BIG, NAN, NEG, LONG), "operator_id": (BIG, NAN, NEG, LONG),
                 "address": (WS, LONG), "latitude": (WS, BIG, NAN, NEG, LONG),
                 "longitude": (WS, BIG, NAN, NEG, LONG), "phone": (BIG, NAN, NEG, LONG),
                 "price": (WS, BIG, NAN, NEG, LONG), "status": (WS, BIG, NAN, NEG, LONG),
                 "services": (LONG,), "directions": (LONG,), "status_note": (LONG,),
                 "verified_on": (BIG, NAN, NEG, LONG)}),
        "edit": (f"/services/{meal.id}/edit", point_form(world, name="改过的名字"),
                 {"name": (WS, LONG), "latitude": (WS, BIG, NAN, NEG, LONG),
                  "longitude": (WS, BIG, NAN, NEG, LONG), "phone": (BIG, NAN, NEG, LONG),
                  "verified_on": (BIG, NAN, NEG, LONG)}),
        "hours": (f"/services/{meal.id}/hours", VALID_HOURS,
                  {"monday": (BIG, NAN, NEG, LONG), "sunday": (BIG, NAN, NEG, LONG)}),
        "exception": (f"/services/{meal.id}/exceptions",
                      {"day": day, "kind": "special", "hours": "09:00-12:00", "note": "清明"},
                      {"day": (WS, BIG, NAN, NEG, LONG), "kind": (WS, BIG, NAN, NEG, LONG),
                       "hours": (WS, BIG, NAN, NEG, LONG), "note": (LONG,)}),
    }[form]
    problems = []

    def state():
        db.session.expire_all()
        return [(table.name, db.session.scalar(db.select(db.func.count()).select_from(table)))
                for table in db.metadata.sorted_tables] + [
            db.session.get(ServicePoint, meal.id).name]

    for field, values in bad.items():
        for value in values:
            label = f"{field}={value[:12]!r}"
            before = state()
            try:
                response = client.submit(path, {**good, field: value}, headers=ZH)
            except Exception as error:  # a 500 in production
                db.session.rollback()
                problems.append(f"{label}: {type(error).__name__}: {str(error)[:80]}")
                continue
            page = text(response)
            messages = re.findall(r'class="field-error"[^>]*>(.*?)</span>\s*(?:<input|<select|'
                                  r'<textarea|<fieldset|<div|</div>|<span)', page, re.S)
            messages += [m for summary in SUMMARY_ITEM.findall(page)
                         for m in re.findall(r"<li>(.*?)</li>", summary, re.S)]
            messages = [re.sub(r"<[^>]+>", "", m).strip() for m in messages]
            if response.status_code != 422:
                problems.append(f"{label}: status {response.status_code}")
            elif not messages or not all(re.search(r"[\u4e00-\u9fff]", m) for m in messages):
                problems.append(f"{label}: no Chinese message: {messages!r}")
            if state() != before:
                problems.append(f"{label}: something was written")
    assert problems == []
