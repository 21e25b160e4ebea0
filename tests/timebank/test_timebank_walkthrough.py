"""The time bank as real users walked it (issue 9): the log form after an htmx send, the way
from the home page to logged hours, recent decisions, the approval queue, full-width
punctuation in Chinese, and numbers that must not break across lines."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.timebank import activities, certificates, ledger, logs
from portal.timebank.models import HourLog
from portal.timeutil import local_today, utcnow
from tests.helpers import text

HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'<input[^>]*name="token"[^>]*value="([^"]*)"')


@pytest.fixture
def two_activities(make_activity, volunteer, world):
    """Two activities the volunteer signed up for and has not logged: the newer one started
    two hours ago, the older one yesterday."""
    older = make_activity(title="楼道扶手消毒", starts=utcnow() - timedelta(days=1, hours=2),
                          organization=world["organization"])
    newer = make_activity(title="院落大扫除", organization=world["organization"])
    for activity in (older, newer):
        activities.sign_up(volunteer, activity, activity.starts_at - timedelta(days=1))
    db.session.commit()
    return newer, older


def hour_logs():
    return db.session.scalar(select(func.count()).select_from(HourLog))


def checked_inputs(html):
    return re.findall(r'<input[^>]*\schecked[^>]*>', html)


# --- 1. a page inside a page ---

def test_after_an_htmx_send_the_form_is_fresh_with_the_confirmation_beside_it(
        client, login, volunteer, two_activities):
    newer, older = two_activities
    login(volunteer)
    page = text(client.get("/timebank/me"))
    sent_token = TOKEN.search(page).group(1)
    response = client.post("/timebank/me/log", headers=HTMX, data={
        "csrf_token": client.csrf_token("/timebank/me"), "what": f"activity:{newer.id}",
        "quick": "120", "note": "扫了院坝", "token": sent_token})
    panel = text(response)
    assert response.status_code == 200 and "<html" not in panel
    assert "已提交" in panel and "2 小时" in panel and "等待审核" in panel
    fresh_token = TOKEN.search(panel).group(1)
    assert fresh_token and fresh_token != sent_token
    # Nothing chosen, nothing typed: not even the other activity still waiting for its log.
    assert f'value="activity:{older.id}"' in panel
    assert checked_inputs(panel) == []
    assert "扫了院坝" not in panel.split("<form", 1)[1].split("</form>", 1)[0]


def test_the_same_form_sent_twice_with_htmx_never_answers_with_a_whole_page(
        client, login, volunteer, two_activities):
    newer, _older = two_activities
    login(volunteer)
    form = {"csrf_token": client.csrf_token("/timebank/me"), "what": f"activity:{newer.id}",
            "quick": "120", "token": "double-tap-1"}
    assert client.post("/timebank/me/log", headers=HTMX, data=form).status_code == 200
    again = client.post("/timebank/me/log", headers=HTMX, data=form)
    assert again.status_code < 300 and "<html" not in text(again)
    assert "Location" not in again.headers
    if again.status_code == 200:  # the panel, saying it is sent, with a fresh form
        assert "已提交 " in text(again) and checked_inputs(text(again)) == []
    else:
        assert again.headers["HX-Redirect"] == "/timebank/me"
    assert hour_logs() == 1


def test_someone_elses_token_reveals_nothing_and_logs_nothing(client, login, volunteer,
                                                              two_activities, make_volunteer):
    newer, _older = two_activities
    logs.submit(volunteer, 150, activity=newer, token="theirs-1", now=utcnow(),
                today=local_today())
    db.session.commit()
    login(make_volunteer(name="别人"))
    response = client.post("/timebank/me/log", headers=HTMX, data={
        "csrf_token": client.csrf_token("/timebank/me"), "what": "neighbour",
        "neighbour": volunteer.mobile, "quick": "60", "token": "theirs-1"})
    assert "2 小时 30 分钟" not in text(response) and "<html" not in text(response)
    assert hour_logs() == 1


# --- 2. three taps from the home page ---

def test_the_home_page_offers_a_volunteer_to_log_hours(client, login, volunteer,
                                                       make_user, world):
    assert "记录服务时长" not in text(client.get("/"))
    login(make_user(courtyard=world["courtyard"]))  # a resident who has not joined
    assert "记录服务时长" not in text(client.get("/"))
    login(volunteer)
    page = text(client.get("/"))
    assert re.search(r'<a class="button big" href="/timebank/me#log-panel">记录服务时长</a>',
                     page)


def test_the_time_bank_index_offers_it_first(client, login, volunteer):
    login(volunteer)
    page = text(client.get("/timebank/")).split("<main", 1)[1]
    link = page.index('href="/timebank/me#log-panel">记录服务时长')
    assert link < page.index("帮助邻居的时间存起来")


def test_the_most_recent_activity_waiting_for_its_log_is_already_chosen(
        client, login, volunteer, two_activities):
    newer, older = two_activities
    login(volunteer)
    page = text(client.get("/timebank/me"))
    assert checked_inputs(page) == [next(i for i in re.findall(r"<input[^>]*>", page)
                                         if f'value="activity:{newer.id}"' in i)]
    # Two taps more: 2 小时, then send — without choosing the activity.
    response = client.submit("/timebank/me/log", {"what": f"activity:{newer.id}", "quick": "120",
                                                  "token": TOKEN.search(page).group(1)},
                             token_from="/timebank/me")
    assert response.status_code == 303
    assert db.session.scalar(select(HourLog.activity_id)) == newer.id


def test_recent_decisions_are_the_last_30_days_and_say_so(client, login, volunteer, worker,
                                                          two_activities, world, make_user):
    login(volunteer)
    page = text(client.get("/timebank/me"))
    assert "最近 30 天的审核结果" in page and "最近 30 天还没有审核过您的记录。" in page
    newer, older = two_activities
    recent = logs.submit(volunteer, 120, activity=newer, now=utcnow(), today=local_today())
    logs.approve(recent, worker, utcnow())
    old = logs.submit(volunteer, 60, activity=older, now=utcnow(), today=local_today())
    logs.approve(old, worker, utcnow())
    old.decided_at = utcnow() - timedelta(days=270)
    db.session.commit()
    page = text(client.get("/timebank/me"))
    decided = page.split("最近 30 天的审核结果", 1)[1]
    assert newer.title in decided and older.title not in decided
    assert "还没有审核过" not in page


# --- 6. the neighbour's number: asked only for help to a neighbour ---

def test_the_neighbour_field_says_when_it_is_needed(client, login, volunteer, two_activities):
    login(volunteer)
    page = text(client.get("/timebank/me"))
    assert "只在选了“我帮了邻居”时填写" in page
    assert 'data-shown-with="what=neighbour"' in page


def test_a_number_left_in_the_hidden_neighbour_field_does_not_block_an_activity(
        client, login, volunteer, two_activities):
    newer, _older = two_activities
    login(volunteer)
    response = client.submit("/timebank/me/log", {
        "what": f"activity:{newer.id}", "quick": "60", "neighbour": "123", "token": "left-over-1"},
        token_from="/timebank/me")
    assert response.status_code == 303 and hour_logs() == 1


# --- 5. the approval queue: one card per record ---

def test_a_reject_without_reason_opens_its_own_card_with_the_message(
        client, login, worker, volunteer, two_activities):
    newer, older = two_activities
    first = logs.submit(volunteer, 120, activity=newer, now=utcnow(), today=local_today())
    second = logs.submit(volunteer, 60, activity=older, now=utcnow(), today=local_today())
    db.session.commit()
    login(worker)
    page = text(client.get("/timebank/approvals"))
    cards = re.findall(r'<li class="approval" id="log-(\d+)">(.*?)</li>', page, re.S)
    assert sorted(int(i) for i, _card in cards) == sorted([first.id, second.id])
    for log_id, card in cards:
        # The card's heading names the person and the time; its own buttons follow.
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", card, re.S).group(1)
        assert "李志鹏" in heading and "小时" in heading
        assert f"/timebank/logs/{log_id}/approve" in card and f"/logs/{log_id}/reject" in card
        assert "<details" in card and " open" not in card.split("<details", 1)[1][:20]
    response = client.post(f"/timebank/logs/{first.id}/reject", headers=HTMX, data={
        "csrf_token": client.csrf_token("/timebank/approvals"), f"log{first.id}-reason": ""})
    card = text(response)
    assert response.status_code == 422 and card.strip().startswith(
        f'<li class="approval" id="log-{first.id}">')
    assert re.search(r"<details[^>]*\sopen", card) and "请说明原因" in card


# --- 6. full-width punctuation and numbers that must not break ---

@pytest.fixture
def busy_volunteer(client, volunteer, worker, two_activities, make_user, world):
    """A volunteer with approved, pending and neighbour help, and a certificate."""
    newer, older = two_activities
    logs.approve(logs.submit(volunteer, 120, activity=newer, now=utcnow(),
                             today=local_today()), worker, utcnow())
    logs.submit(volunteer, 90, activity=older, now=utcnow(), today=local_today())
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard"])
    logs.submit(volunteer, 60, neighbour=neighbour, now=utcnow(), today=local_today())
    certificates.issue(volunteer, world["organization"], utcnow())
    db.session.commit()
    return volunteer


def pages_of(volunteer, worker, world):
    return [(None, f"/timebank/branch/{world['community'].id}"),
            (volunteer, "/"), (volunteer, "/timebank/"), (volunteer, "/timebank/me"),
            (volunteer, "/timebank/me/history"), (volunteer, "/timebank/rewards"),
            (volunteer, "/timebank/certificates"), (volunteer, "/timebank/gift"),
            (volunteer, "/timebank/donate"), (volunteer, "/timebank/help/new"),
            (worker, "/timebank/approvals"), (worker, "/timebank/neighbour-approvals")]


class MainText(HTMLParser):
    """The visible text of <main>, each piece with whether it sits in a .unbroken span."""

    def __init__(self):
        super().__init__()
        self.stack, self.pieces, self.in_main = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in ("input", "br", "img", "meta", "link", "hr", "source"):
            return
        self.stack.append((tag, (dict(attrs).get("class") or "").split()))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        classes = [c for _t, cs in self.stack for c in cs]
        if self.in_main and data.strip() and "visually-hidden" not in classes:
            self.pieces.append((data, "unbroken" in classes))


def main_text(html):
    parser = MainText()
    parser.feed(html)
    return parser.pieces


HALF_WIDTH = re.compile(r"[\u3400-\u9fff]\s*[(:]|\(\s*[\u3400-\u9fff]")
MUST_NOT_BREAK = re.compile(
    r"\d+(\.\d+)? ?(小时|分钟)|\d+月\d+日|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|1\d{2}[\d*]{4}\d{4}")


def test_chinese_text_uses_full_width_punctuation(client, login, busy_volunteer, worker,
                                                  world):
    found = {}
    for who, url in pages_of(busy_volunteer, worker, world):
        if who:
            login(who)
        page = "".join(piece for piece, _unbroken in main_text(text(client.get(url))))
        found.update({url: HALF_WIDTH.findall(page)} if HALF_WIDTH.search(page) else {})
    assert found == {}


def test_amounts_dates_times_and_numbers_are_marked_unbroken(client, login, busy_volunteer,
                                                            worker, world):
    loose = {}
    for who, url in pages_of(busy_volunteer, worker, world):
        if who:
            login(who)
        for piece, unbroken in main_text(text(client.get(url))):
            if not unbroken and MUST_NOT_BREAK.search(piece):
                loose.setdefault(url, []).append(piece.strip())
    assert loose == {}


def test_balance_reads_with_a_full_width_colon(client, login, busy_volunteer):
    login(busy_volunteer)
    assert ledger.balance(busy_volunteer) == 120
    page = text(client.get("/timebank/me"))
    assert re.search(r'我的余额：\s*<strong><span class="unbroken">2 小时</span></strong>', page)


# --- the demo walks the same way ---

def test_the_demo_volunteer_has_an_activity_to_log_and_recent_decisions():
    from portal.demo import seed_demo

    zhipeng = seed_demo()["13900000005"]
    now = utcnow()
    waiting = logs.recent_activities(zhipeng, now)
    assert [a.title for a in waiting][:1] == ["楼道扶手消毒"]
    assert now - timedelta(days=3) < waiting[0].starts_at < now
    decided = logs.recent_decisions(zhipeng, now)
    assert len(decided) == logs.RECENT_DECISIONS
    assert all(now - timedelta(days=30) <= log.decided_at <= now for log in decided)
    assert max(log.service_date for log in decided) > local_today() - timedelta(days=8)


def test_help_approved_by_the_neighbour_is_checked_card_by_card_too(client, login, worker,
                                                                    volunteer, make_user,
                                                                    world):
    neighbour = make_user(name="王奶奶", courtyard=world["courtyard"])
    for minutes in (60, 90):
        logs.approve(logs.submit(volunteer, minutes, neighbour=neighbour, now=utcnow(),
                                 today=local_today()), neighbour, utcnow())
    db.session.commit()
    login(worker)
    for url, level in (("/timebank/approvals", "h3"), ("/timebank/neighbour-approvals", "h2")):
        page = text(client.get(url))
        cards = re.findall(r'<li class="approval" id="review-(\d+)">(.*?)</li>', page, re.S)
        assert len(cards) == 2, url
        for log_id, card in cards:
            heading = re.search(rf"<{level}[^>]*>(.*?)</{level}>", card, re.S).group(1)
            assert "李志鹏" in heading and "小时" in heading
            assert f"/logs/{log_id}/reviewed" in card and f"/logs/{log_id}/reverse" in card
            assert re.search(r"<details[^>]*>\s*<summary>撤销（要写原因）", card)
    log_id = cards[0][0]
    response = client.submit(f"/timebank/logs/{log_id}/reverse", {f"rev{log_id}-reason": ""},
                             token_from="/timebank/neighbour-approvals")
    assert response.status_code == 422
    card = re.search(rf'<li class="approval" id="review-{log_id}">(.*?)</li>', text(response),
                     re.S).group(1)
    assert re.search(r"<details[^>]*\sopen", card)
