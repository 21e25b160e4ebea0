"""Notices and 公示: the rules, posting and withdrawing over HTTP, who may, the poster, and
who has seen a notice (households, never shown to residents)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.courtyards import notices
from portal.courtyards.models import Notice, NoticeView
from portal.extensions import db
from portal.formatting import paragraphs
from portal.publicity import rules as publicity
from portal.refusals import Refused
from tests.helpers import audit_page, text


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- rules ---

def test_a_publicity_notice_is_published_for_its_days(post, today, now, leader):
    notice = post(window=(today, today + timedelta(days=6)))
    publication = publicity.publication_of(notice)
    assert publication.subject_type == "notice" and publication.posted_by_id == leader.id
    assert notices.window_days(publication) == (today, today + timedelta(days=6))
    assert publicity.state(publication, now).phase == "open"
    assert db.session.scalar(select(AuditEntry.action).filter_by(
        subject_type="Notice", subject_id=notice.id)) == "courtyards.notice.post"


def test_a_window_ending_before_it_starts_is_refused(world, leader, now, today):
    with pytest.raises(Refused) as refused:
        notices.post_notice(leader, world["courtyard"], "公示", "内容", now, today,
                            window=(today, today - timedelta(days=1)))
    assert refused.value.field == "ends_on"


def test_a_leader_may_not_post_in_another_courtyard(world, leader, now, today):
    with pytest.raises(Refused, match="not_yours_to_post"):
        notices.post_notice(leader, world["courtyard2"], "通知", "内容", now, today)


def test_only_workers_post_for_a_whole_community(world, leader, worker, now, today):
    assert not notices.may_post(leader, world["community"])
    notice = notices.post_notice(worker, world["community"], "全社区通知", "内容", now, today)
    assert [n for n, _p in notices.board(world["courtyard2"], now, today)] == [notice]
    assert notices.board(world["other_courtyard"], now, today) == []


def test_the_board_puts_pinned_then_open_windows_then_the_rest(post, world, now, today):
    plain = post("普通通知")
    window = post("公示", window=(today, today + timedelta(days=3)))
    pinned = post("置顶", pinned_until=today + timedelta(days=2))
    newest = post("最新通知")
    gone = post("撤回的")
    notices.withdraw_notice(gone, gone.posted_by, "发错了", now)
    order = [n for n, _p in notices.board(world["courtyard"], now, today)]
    assert order == [pinned, window, newest, plain]
    archived = db.session.scalars(notices.archive(world["courtyard"])).all()
    assert gone in archived


def test_withdrawing_needs_a_reason_and_withdraws_the_publication(post, leader, now, today):
    notice = post(window=(today, today + timedelta(days=3)))
    with pytest.raises(Refused, match="withdrawal_reason_needed"):
        notices.withdraw_notice(notice, leader, "  ", now)
    notices.withdraw_notice(notice, leader, "时间改了", now)
    assert notice.withdrawn_at == now and notice.withdrawal_reason == "时间改了"
    assert publicity.publication_of(notice).withdrawn_at == now
    with pytest.raises(Refused, match="notice_withdrawn"):
        notices.withdraw_notice(notice, leader, "再撤", now)


def test_paragraphs_escape_markup_and_make_lists():
    html = paragraphs("第一段<script>alert(1)</script>\n第二行\n\n- 一\n- 二\n\n尾")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html == ("<p>第一段&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行</p>\n"
                    "<ul><li>一</li><li>二</li></ul>\n<p>尾</p>")


# --- seen by ---

def test_seen_by_counts_households_not_people(post, world, resident_in, make_user, now):
    notice = post()
    mum, dad = resident_in("401", name="妈妈"), resident_in("401", name="爸爸")
    resident_in("402", name="邻居")
    loose = resident_in(None, name="没登记")
    for person in (mum, dad, loose):
        assert notices.record_view(notice, person, now)
    assert not notices.record_view(notice, mum, now)  # once only
    stranger = make_user(courtyard=world["other_courtyard"])
    assert not notices.record_view(notice, stranger, now)
    db.session.commit()
    counted = notices.readers(notice, world["courtyard"])
    assert (counted.households, counted.households_seen) == (2, 1)
    assert (counted.loose, counted.loose_seen) == (2, 1)  # the leader has none either
    assert [h.room for h in notices.households_not_seen(notice, world["courtyard"])] == ["402"]


def test_a_double_view_at_once_is_no_error(post, resident_in, now):
    notice = post()
    person = resident_in("401")
    # Another request stored the view between our check and our insert.
    db.session.add(NoticeView(notice_id=notice.id, user_id=person.id))
    db.session.flush()
    assert notices.record_view(notice, person, now) is False
    assert _count(NoticeView) == 1


# --- over HTTP ---

def _form(**fields):
    data = {"title": "楼道清理通知", "body": "周六上午清理楼道杂物。\n\n- 自行车\n- 纸箱",
            "starts_on": "", "ends_on": "", "pinned_until": ""}
    data.update(fields)
    return data


def test_a_leader_posts_a_publicity_notice(client, login, leader, world, today):
    login(leader)
    page = f"/courtyards/places/{world['courtyard'].id}/notices/new"
    assert client.get(page).status_code == 200
    response = client.submit(page, _form(publicity="y", starts_on=str(today),
                                         ends_on=str(today + timedelta(days=7))),
                             token_from=page)
    assert response.status_code == 303
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"].endswith(f"/courtyards/notices/{notice.id}")
    assert publicity.publication_of(notice) is not None
    shown = client.get(f"/courtyards/notices/{notice.id}")
    assert shown.status_code == 200 and "<li>纸箱</li>" in text(shown)
    audit_page(shown)


@pytest.mark.parametrize("fields, message", [
    ({"publicity": "y", "starts_on": "2026-05-10", "ends_on": "2026-05-01"}, None),
    ({"title": "长" * 10_000}, "最多"),
    ({"title": ""}, None),
    ({"publicity": "y", "starts_on": "", "ends_on": ""}, None),
])
def test_bad_notices_are_kept_and_nothing_is_written(client, login, leader, world, fields,
                                                     message):
    login(leader)
    page = f"/courtyards/places/{world['courtyard'].id}/notices/new"
    data = _form(**fields)
    data["body"] = "<script>alert(1)</script>正文"
    response = client.submit(page, data, token_from=page)
    assert response.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;正文" in text(response)
    assert 'class="error-summary"' in text(response)
    if message:
        assert message in text(response)
    assert _count(Notice) == 0


WHO = ["resident_here", "resident_elsewhere", "leader_here", "leader_elsewhere",
       "worker_here", "worker_elsewhere", "admin", "anonymous"]


@pytest.fixture
def person(request, make_user, world, login):
    """The signed-in person of a permission matrix (None: nobody)."""

    def sign_in(who):
        here, there = world["courtyard"], world["other_courtyard"]
        roles = {"leader_here": [("courtyard_leader", here)],
                 "leader_elsewhere": [("courtyard_leader", there)],
                 "worker_here": [("community_worker", world["community"])],
                 "worker_elsewhere": [("community_worker", world["other_community"])],
                 "admin": [("admin", world["city"])]}.get(who, [])
        if who == "anonymous":
            return None
        home = there if who == "resident_elsewhere" else here
        return login(make_user(courtyard=home, roles=roles))

    return sign_in


@pytest.mark.parametrize("who", WHO)
def test_who_may_post_a_notice_in_a_courtyard(client, person, world, who):
    person(who)
    path = f"/courtyards/places/{world['courtyard'].id}/notices/new"
    response = client.submit(path, _form())
    allowed = who in ("leader_here", "worker_here", "admin")
    expected = 303 if allowed else 302 if who == "anonymous" else 403
    assert response.status_code == expected
    assert _count(Notice) == (1 if allowed else 0)


@pytest.mark.parametrize("who", WHO)
def test_who_may_withdraw_a_notice(client, person, post, world, who):
    notice = post()
    person(who)
    response = client.submit(f"/courtyards/notices/{notice.id}/withdraw", {"reason": "发错了"})
    allowed = who in ("worker_here", "admin")  # and the leader who posted it
    expected = 303 if allowed else 302 if who == "anonymous" else 403
    assert response.status_code == expected
    db.session.refresh(notice)
    assert (notice.withdrawn_at is not None) == allowed


def test_withdrawing_without_a_reason_writes_nothing(client, login, leader, post):
    notice = post()
    login(leader)
    page = f"/courtyards/notices/{notice.id}"
    response = client.submit(f"{page}/withdraw", {"reason": "  "}, token_from=page)
    assert response.status_code == 422 and "请说明撤回的原因" in text(response)
    db.session.refresh(notice)
    assert notice.withdrawn_at is None


def test_the_poster_has_the_title_and_a_qr_code(client, post, today):
    notice = post("<b>停气</b>公示", window=(today, today + timedelta(days=6)))
    response = client.get(f"/courtyards/notices/{notice.id}/poster")
    assert response.status_code == 200
    html = text(response)
    assert "&lt;b&gt;停气&lt;/b&gt;公示" in html and '<svg role="img"' in html
    assert f"/courtyards/notices/{notice.id}" in html


def test_residents_never_see_who_has_read_it(client, login, post, resident_in, leader):
    notice = post()
    neighbour = resident_in("401")
    resident_in("402", name="没看的邻居")
    login(neighbour)
    response = client.get(f"/courtyards/notices/{notice.id}")
    assert 'id="readers-title"' not in text(response)
    assert _count(NoticeView) == 1
    login(leader)
    response = client.get(f"/courtyards/notices/{notice.id}")
    assert 'id="readers-title"' in text(response)
    assert "<li>402</li>" in text(response) and "<li>401</li>" not in text(response)


def test_opening_a_notice_twice_records_one_view(client, login, post, resident_in):
    notice = post()
    login(resident_in("401"))
    for _ in range(2):
        assert client.get(f"/courtyards/notices/{notice.id}").status_code == 200
    assert _count(NoticeView) == 1
