"""Open data: GeoJSON and HSDS 3.0 (JSON and CSV tables), as modules and as downloads."""

import csv
import io
import json
from datetime import date, timedelta

import pytest

from portal.servicemap import opendata
from portal.timeutil import local_today
from tests.factories import make_point

WEEKDAYS = {0: "11:00-13:00, 17:00-18:30", 1: "11:00-13:00, 17:00-18:30",
            2: "11:00-13:00, 17:00-18:30", 3: "11:00-13:00, 17:00-18:30",
            4: "11:00-13:00, 17:00-18:30", 5: "20:00-次日02:00"}


@pytest.fixture
def points(world):
    soon = local_today() + timedelta(days=3)
    meals = make_point(world["community"], "长者食堂", "meals", 30.6649, 104.0412,
                       week=WEEKDAYS, operator=world["organization"], phone="028-87335566",
                       price="low_cost", services="午餐12元\n送餐上门", step_free=True,
                       verified_on=date(2026, 3, 1), directions="一楼",
                       exceptions=[(soon, True, "", "消毒"),
                                   (soon + timedelta(days=1), False, "09:00-10:00", "半天")])
    centre = make_point(world["community"], "党群服务中心", "centre", 30.6628, 104.0385,
                        week={0: "09:00-12:00"}, status="temporarily_closed")
    return meals, centre, soon


def test_osm_opening_hours_groups_days_and_lists_exceptions(app, points):
    meals, _centre, soon = points
    with app.test_request_context():
        _points, exceptions = opendata.load(local_today())
    text = opendata.osm_opening_hours(meals, exceptions[meals.id])
    months = opendata.MONTHS
    assert text.startswith("Mo-Fr 11:00-13:00,17:00-18:30; Sa 20:00-02:00; ")
    assert f"{soon.year} {months[soon.month - 1]} {soon.day:02d} off" in text
    assert "09:00-10:00" in text


def test_geojson_is_longitude_first_with_the_details(client, points):
    meals, centre, _soon = points
    response = client.get("/services/open-data/points.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    feature = next(f for f in data["features"] if f["id"] == meals.id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [104.0412, 30.6649]}
    props = feature["properties"]
    assert props["category_name"] == "助餐点" and props["price"] == "low_cost"
    assert props["services"] == ["午餐12元", "送餐上门"]
    assert props["step_free_entrance"] is True and props["verified_on"] == "2026-03-01"
    assert props["url"].endswith(f"/services/{meals.id}")
    assert props["operator"] == "常青树社会服务中心"


def test_hsds_json_is_a_page_of_services_with_their_organization_and_hours(client, points,
                                                                          world):
    meals, centre, soon = points
    data = json.loads(client.get("/services/open-data/hsds.json").get_data(as_text=True))
    assert data["total_items"] == len(data["contents"]) == 2
    services = {s["name"]: s for s in data["contents"]}
    assert services["长者食堂"]["organization"]["name"] == "常青树社会服务中心"
    assert services["长者食堂"]["organization_id"] == services["长者食堂"]["organization"]["id"]
    # A point the community runs itself is listed under the community.
    assert services["党群服务中心"]["organization"]["name"] == "草堂路社区"
    assert services["党群服务中心"]["status"] == "temporarily closed"
    assert services["长者食堂"]["assured_date"] == "2026-03-01"
    category = services["长者食堂"]["attributes"][0]["taxonomy_term"]
    assert (category["code"], category["name"]) == ("meals", "助餐点")
    link = services["长者食堂"]["service_at_locations"][0]
    location = link["location"]
    assert (location["latitude"], location["longitude"]) == (30.6649, 104.0412)
    assert location["addresses"][0]["address_1"] == "草堂东路135号"
    assert [a["description"] for a in location["accessibility"]] == ["无台阶入口"]
    meal_schedules = link["schedules"]
    weekly = [s for s in meal_schedules if s.get("freq") == "WEEKLY"]
    # 11 weekly intervals; Saturday's 20:00-02:00 is two rows, before and after midnight.
    assert len(weekly) == 12
    saturday = next(s for s in weekly if s["byday"] == "SA")
    sunday = next(s for s in weekly if s["byday"] == "SU")
    assert (saturday["opens_at"], saturday["closes_at"]) == ("20:00:00+08:00", "23:59:59+08:00")
    assert (sunday["opens_at"], sunday["closes_at"]) == ("00:00:00+08:00", "02:00:00+08:00")
    closed = next(s for s in meal_schedules if s.get("description") == "closed")
    assert closed["valid_from"] == closed["valid_to"] == soon.isoformat()
    assert closed["notes"] == "消毒" and "freq" not in closed
    # Ids are stable from one export to the next.
    again = json.loads(client.get("/services/open-data/hsds.json").get_data(as_text=True))
    assert again == data


@pytest.mark.parametrize("table", opendata.TABLES)
def test_hsds_csv_per_table(client, points, table):
    response = client.get(f"/services/open-data/hsds/{table}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and list(rows[0]) == list(opendata.COLUMNS[table])


def test_unknown_hsds_table_is_not_found(client):
    assert client.get("/services/open-data/hsds/people.csv").status_code == 404


def test_hsds_csv_cells_never_start_a_spreadsheet_formula(client, world):
    soon = local_today() + timedelta(days=2)
    make_point(world["community"], "=HYPERLINK(\"http://evil\",\"点我\")", "meals", 30.6649,
               104.0412, week={0: "09:00-12:00"}, address="+86 草堂东路", directions="@一楼",
               exceptions=[(soon, True, "", "-消毒")])
    tables = {}
    for table in opendata.TABLES:
        body = client.get(f"/services/open-data/hsds/{table}.csv").get_data(as_text=True)
        tables[table] = list(csv.DictReader(io.StringIO(body)))
    service = tables["services"][0]
    assert service["name"] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    location = tables["locations"][0]
    assert location["transportation"] == "'@一楼"
    assert tables["addresses"][0]["address_1"] == "'+86 草堂东路"
    assert location["latitude"] == "30.6649"  # numbers stay numbers
    assert tables["schedules"][0]["timezone"] == "8"
    closed = next(s for s in tables["schedules"] if s["description"] == "closed")
    assert closed["notes"] == "'-消毒"
    for rows in tables.values():
        for row in rows:
            assert not any(cell and cell[0] in "=+-@\t\r" for cell in row.values())
