"""A community's three lists: needs, resources and projects side by side, in a fixed number of
queries."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.councils.models import Request
from portal.courtyards.models import Collection
from portal.extensions import db
from portal.funds import money
from portal.organizations.models import ServedCommunity
from portal.projects.models import ProgressReport


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def community_lists(world, worker, fund, project, make_user, now):
    resident = make_user(name="张桂芳", courtyard=world["courtyard"])
    for title, public, state in [("车棚漏雨", True, "submitted"), ("路灯坏了", True, "referred"),
                                 ("私下的事", False, "submitted"), ("早办完了", True, "closed")]:
        db.session.add(Request(courtyard=world["courtyard"], community=world["community"],
                               place_path=world["courtyard"].path, category="amenities",
                               title=title, body="……", public=public, requester=resident,
                               state=state))
    db.session.add(Collection(place=world["courtyard"], title="车棚怎么修", opened_by=worker,
                              opens_at=now - timedelta(days=20),
                              closes_at=now - timedelta(days=10)))
    db.session.add(ServedCommunity(organization=world["organization"],
                                   place_id=world["community"].id))
    db.session.add(ProgressReport(project_id=project.id, percent=40, text="材料进场",
                                  reported_by_id=worker.id))
    money.donate(worker, fund, 123_400, "张桂芳", now)
    db.session.commit()


def test_the_three_lists_side_by_side(client, world, community_lists):
    page = text(client.get(f"/funds/community/{world['community'].id}/lists"))
    assert "需求清单" in page and "资源清单" in page and "项目清单" in page
    assert "车棚漏雨" in page and "路灯坏了" in page
    assert "私下的事" not in page and "早办完了" not in page
    assert "常青树社会服务中心" in page and "浣花志愿服务队" not in page
    assert "草堂路社区微基金" in page and "1,234" in page
    assert "停车棚翻修和充电桩安装" in page and "已完成 40%" in page
    assert "车棚怎么修" not in page  # collections are for the community's own people


def test_residents_and_workers_see_the_closed_collections(client, login, worker, world,
                                                          community_lists):
    login(worker)
    page = text(client.get(f"/funds/community/{world['community'].id}/lists"))
    assert "车棚怎么修" in page and "设立社区基金" in page


def test_only_a_community_has_lists(client, world):
    assert client.get(f"/funds/community/{world['courtyard'].id}/lists").status_code == 404
    assert client.get("/funds/community/999999/lists").status_code == 404


def test_the_lists_take_the_same_queries_however_much_there_is(client, world, worker,
                                                               make_project, fund, now):
    def queries():
        seen = []

        def count(*_args):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/funds/community/{world['community'].id}/lists") \
                .status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    make_project(title="项目一")
    few = queries()
    for i in range(12):
        project = make_project(title=f"项目{i}")
        db.session.add(ProgressReport(project_id=project.id, percent=i, text="进展",
                                      reported_by_id=worker.id))
        money.set_up(worker, world["community"], f"基金{i}", "", 100, 0, now)
    db.session.commit()
    assert queries() == few
