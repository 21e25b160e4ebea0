"""Departments of a district: kept by workers of a community in it; names unique there."""

import pytest
from sqlalchemy import func, select

from portal.councils import departments
from portal.councils.models import Department
from portal.extensions import db
from portal.places.tree import add_place
from portal.refusals import Refused
from tests.helpers import audit_page, text


def _count():
    return db.session.scalar(select(func.count()).select_from(Department))


def test_workers_of_the_district_keep_its_departments(worker, outside_worker, resident,
                                                      world):
    district = world["district"]
    row = departments.add(worker, district, " 区城管局 ", "028-1234567")
    db.session.commit()
    assert (row.name, row.phone, row.active) == ("区城管局", "028-1234567", True)
    # A worker of the other community of the same district keeps the same list.
    departments.set_active(outside_worker, row, False)
    assert row.active is False
    with pytest.raises(Refused, match="department_not_yours"):
        departments.add(resident, district, "公安分局")
    other = add_place("district", "锦江区", world["city"])
    with pytest.raises(Refused, match="department_not_yours"):
        departments.add(worker, other, "锦江城管")
    assert not departments.may_keep(worker, world["community"])  # not a district


def test_bad_names_are_refused(worker, world):
    district = world["district"]
    departments.add(worker, district, "区住建局")
    for name, reason in (("  ", "department_name_missing"),
                         ("长" * 61, "department_name_too_long"),
                         ("区住建局", "department_name_taken"),
                         ("区 住建局", "department_name_taken")):
        with pytest.raises(Refused) as refused:
            departments.add(worker, district, name)
        assert (refused.value.reason, refused.value.field) == (reason, "name")
    assert _count() == 1


def test_the_departments_page(client, login, worker, world, resident):
    page = f"/councils/districts/{world['district'].id}/departments"
    login(worker)
    response = client.get(page)
    assert response.status_code == 200
    audit_page(response)
    response = client.submit(page, {"name": "区供电局", "phone": ""}, token_from=page)
    assert response.status_code == 303 and _count() == 1
    response = client.submit(page, {"name": "区供电局", "phone": "028"}, token_from=page)
    assert response.status_code == 422 and 'value="区供电局"' in text(response)
    assert _count() == 1
    row = db.session.scalar(select(Department))
    response = client.submit(f"/councils/departments/{row.id}/active", token_from=page)
    assert response.status_code == 303
    assert db.session.get(Department, row.id).active is False
    assert client.get(f"/councils/districts/{world['community'].id}/departments"
                      ).status_code == 404


@pytest.mark.parametrize("who", ["resident", "outside_leader", "anonymous"])
def test_others_may_not_keep_departments(client, login, make_user, world, department, who):
    page = f"/councils/districts/{world['district'].id}/departments"
    token = client.csrf_token("/")
    if who == "resident":
        login(make_user(courtyard=world["courtyard"]))
    elif who == "outside_leader":
        login(make_user(roles=[("courtyard_leader", world["courtyard"])]))
    expected = 302 if who == "anonymous" else 403
    assert client.get(page).status_code == expected
    response = client.post(page, data={"csrf_token": token, "name": "新部门"})
    assert response.status_code == expected
    response = client.post(f"/councils/departments/{department.id}/active",
                           data={"csrf_token": token})
    assert response.status_code == expected
    assert _count() == 1 and db.session.get(Department, department.id).active is True
