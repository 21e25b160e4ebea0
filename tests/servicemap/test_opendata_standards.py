"""The open data checked with the standards' own schemas and validators (vendored under
tests/standards/: Open Referral HSDS 3.0 and the GeoJSON FeatureCollection schema)."""

import copy
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
frictionless = pytest.importorskip("frictionless")
referencing = pytest.importorskip("referencing")

from referencing.jsonschema import DRAFT202012  # noqa: E402

from portal.servicemap import opendata  # noqa: E402
from portal.timeutil import local_today  # noqa: E402
from tests.factories import make_point  # noqa: E402

STANDARDS = Path(__file__).parent.parent / "standards"
HSDS = STANDARDS / "hsds-3.0"
BASE = "/services/open-data"
WEEK = {0: "11:00-13:00, 17:00-18:30", 4: "09:00-24:00", 5: "20:00-次日02:00"}


@pytest.fixture
def points(world):
    # HSDS requires a province and a postal code on every address: the city and the
    # district say them for the places under them.
    world["city"].province = "四川省"
    world["district"].postal_code = "610072"
    soon = local_today() + timedelta(days=3)
    meals = make_point(world["community"], "长者食堂", "meals", 30.6649, 104.0412, week=WEEK,
                       operator=world["organization"], phone="028-87335566",
                       price="low_cost", services="午餐12元\n送餐上门", step_free=True,
                       lift=True, verified_on=date(2026, 3, 1), directions="一楼",
                       exceptions=[(soon, True, "", "消毒"),
                                   (soon + timedelta(days=1), False, "21:00-次日01:00", "夜场")])
    centre = make_point(world["community"], "党群服务中心", "centre", 30.6628, 104.0385,
                        week={0: "09:00-12:00"}, status="temporarily_closed")
    world["organization"].phone = "+86 28 8733 0000"  # starts like a formula in a CSV
    return meals, centre


def _schemas():
    return {path.name: json.loads(path.read_text()) for path in (HSDS / "schema").glob("*.json")}


def _strict(schema):
    """The schema with no properties but its own: HSDS 3.0's files leave
    additionalProperties open, but an unknown field is not HSDS."""
    schema = copy.deepcopy(schema)
    if schema.get("type") == "object" and "properties" in schema:
        schema["additionalProperties"] = False
    return schema


def _validator(name):
    schemas = _schemas()
    registry = referencing.Registry().with_resources(
        (file, DRAFT202012.create_resource(_strict(schema))) for file, schema in schemas.items())
    return jsonschema.Draft202012Validator(
        registry.contents(name), registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _errors(validator, instance):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)]


def _walk(obj, schema_name, schemas, found):
    """Yield (schema file, object) for every HSDS object nested in ``obj``."""
    found.append((schema_name, obj))
    for key, value in obj.items():
        spec = schemas[schema_name]["properties"].get(key, {})
        ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
        if ref:
            for item in value if isinstance(value, list) else [value]:
                _walk(item, ref, schemas, found)
    return found


def test_hsds_json_is_an_api_page_of_valid_services(client, points):
    data = json.loads(client.get(f"{BASE}/hsds.json").get_data(as_text=True))
    openapi = json.loads((HSDS / "schema" / "openapi.json").read_text())
    page = dict(openapi["components"]["schemas"]["Page"])
    page["properties"] = page["properties"] | {"contents": {"type": "array"}}
    page["required"] = [*page["properties"]]
    page["additionalProperties"] = False
    assert _errors(jsonschema.Draft202012Validator(page), data) == []
    assert data["total_items"] == len(data["contents"]) == 2
    service_validator = _validator("service.json")
    for service in data["contents"]:
        assert _errors(service_validator, service) == []


def test_every_nested_hsds_object_is_valid_and_typed(client, points):
    data = json.loads(client.get(f"{BASE}/hsds.json").get_data(as_text=True))
    schemas = _schemas()
    found = []
    for service in data["contents"]:
        _walk(service, "service.json", schemas, found)
    kinds = {name for name, _obj in found}
    assert {"organization.json", "location.json", "address.json", "phone.json",
            "schedule.json", "accessibility.json", "service_at_location.json",
            "attribute.json", "taxonomy_term.json"} <= kinds
    validators = {name: _validator(name) for name in kinds}
    parse = {"date": date.fromisoformat, "datetime": datetime.fromisoformat,
             "time": time.fromisoformat}
    for name, obj in found:
        assert _errors(validators[name], obj) == [], (name, obj)
        for key, value in obj.items():
            kind = schemas[name]["properties"][key].get("datapackage_type")
            if kind in parse:
                parse[kind](value)  # a valid ISO 8601 value of the type HSDS names
            if kind == "time":
                assert time.fromisoformat(value).utcoffset() is not None, (key, value)
        for key in schemas[name].get("tabular_required", []):
            if name != "attribute.json" or key != "link_entity":
                assert obj.get(key), (name, key)


def test_hsds_schedules_say_what_the_hours_are(client, points):
    meals, _centre = points
    data = json.loads(client.get(f"{BASE}/hsds.json").get_data(as_text=True))
    service = next(s for s in data["contents"] if s["name"] == "长者食堂")
    schedules = service["service_at_locations"][0]["schedules"]
    weekly = {(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules
              if s.get("freq") == "WEEKLY"}
    assert weekly == {("MO", "11:00:00+08:00", "13:00:00+08:00"),
                      ("MO", "17:00:00+08:00", "18:30:00+08:00"),
                      ("FR", "09:00:00+08:00", "23:59:59+08:00"),
                      ("SA", "20:00:00+08:00", "23:59:59+08:00"),
                      ("SU", "00:00:00+08:00", "02:00:00+08:00")}
    assert {s["timezone"] for s in schedules} == {8}
    special = [s for s in schedules if "freq" not in s]
    assert all(s["valid_from"] == s["valid_to"] for s in special)
    assert sorted((s["valid_from"], s.get("opens_at"), s.get("closes_at"))
                  for s in special if s["description"] == "special hours")[1][1:] == (
        "00:00:00+08:00", "01:00:00+08:00")


def _official_package(paths):
    """HSDS's datapackage.json for the files we publish, as its examples/make_datapackages.py
    makes it: only those resources, only foreign keys between them."""
    package = json.loads((HSDS / "datapackage.json").read_text())
    package["resources"] = [r for r in package["resources"] if r["path"] in paths]
    names = {resource["name"] for resource in package["resources"]}
    for resource in package["resources"]:
        keys = [fk for fk in resource["schema"].get("foreignKeys", [])
                if fk["reference"]["resource"] in names]
        resource["schema"].pop("foreignKeys", None)
        if keys:
            resource["schema"]["foreignKeys"] = keys
    return package


def _write_tables(client, folder):
    for table in opendata.TABLES:
        response = client.get(f"{BASE}/hsds/{table}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        (folder / f"{table}.csv").write_bytes(response.get_data())


def _report(descriptor_path):
    report = frictionless.validate(str(descriptor_path))
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    errors += [error.message for error in report.errors]
    return report, errors


def test_hsds_csv_tables_validate_against_the_official_datapackage(client, points, tmp_path):
    _write_tables(client, tmp_path)
    paths = {f"{table}.csv" for table in opendata.TABLES}
    (tmp_path / "datapackage.json").write_text(json.dumps(_official_package(paths)))
    report, errors = _report(tmp_path / "datapackage.json")
    assert errors == [] and report.valid
    assert {task.name for task in report.tasks} >= {
        "organization", "service", "location", "address", "phone", "schedule",
        "accessibility", "service_at_location", "attribute", "taxonomy_term", "taxonomy"}
    assert all(task.stats["rows"] for task in report.tasks)


def test_our_datapackage_json_matches_hsds_and_validates(client, points, tmp_path, app):
    _write_tables(client, tmp_path)
    with app.test_request_context():
        ours = opendata.datapackage()
    paths = {resource["path"] for resource in ours["resources"]}
    assert paths == {f"{table}.csv" for table in opendata.TABLES}
    official = {r["name"]: r for r in _official_package(paths)["resources"]}
    for resource in ours["resources"]:
        theirs = official[resource["name"]]
        assert resource["path"] == theirs["path"]

        def plain(fields):
            return [{k: f[k] for k in ("name", "type", "format", "constraints") if k in f}
                    for f in fields]

        assert plain(resource["schema"]["fields"]) == plain(theirs["schema"]["fields"])
        assert resource["schema"].get("foreignKeys") == theirs["schema"].get("foreignKeys")
    (tmp_path / "datapackage.json").write_text(json.dumps(ours, ensure_ascii=False))
    _report_, errors = _report(tmp_path / "datapackage.json")
    assert errors == []


def test_geojson_is_a_valid_feature_collection(client, points):
    schema = json.loads((STANDARDS / "geojson" / "FeatureCollection.json").read_text())
    data = json.loads(client.get(f"{BASE}/points.geojson").get_data(as_text=True))
    assert _errors(jsonschema.Draft7Validator(schema), data) == []
    assert len(data["features"]) == 2
