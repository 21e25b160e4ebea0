"""The fund's pages over HTTP: the public accounts (who sees which donor's name), the CSV,
every keeping form's happy path, bad input kept with 422, and who may post."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.funds import money
from portal.funds.models import Donation, Fund, FundTransfer
from portal.projects.models import Project


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def accounts(fund, worker, project, now):
    """A fund with a named donation, an anonymous one, a street grant and a payment."""
    money.donate(worker, fund, 50_000, "张桂芳", now)
    money.donate(worker, fund, 20_000, "王秘密", now, anonymous=True)
    money.grant(worker, fund, 1_000_000, "street", "草堂街道办事处", now)
    money.disburse(fund, project, 300_000, worker, "pay:1", now, memo="首期款")
    db.session.commit()
    return fund


def test_anyone_sees_the_balance_and_every_movement_without_the_anonymous_name(client,
                                                                             accounts):
    page = text(client.get(f"/funds/{accounts.id}"))
    assert "草堂路社区微基金" in page
    assert "7,700" in page and "10,700" in page and "3,000" in page
    # A donor who did not ask to be named is masked; grants name who gave them.
    assert "张**" in page and "张桂芳" not in page
    assert "草堂街道办事处" in page and "停车棚翻修和充电桩安装" in page
    assert "王秘密" not in page and "匿名捐赠" in page
    assert "首期款" in page
    assert "/donations/new" not in page  # no keeping for the public


def test_a_resident_does_not_see_the_anonymous_name_either(client, login_as, accounts):
    login_as()
    assert "王秘密" not in text(client.get(f"/funds/{accounts.id}"))


def test_workers_of_the_community_see_who_gave_anonymously(client, login, worker, accounts):
    login(worker)
    page = text(client.get(f"/funds/{accounts.id}"))
    assert "王秘密" in page and "对公众匿名" in page and "张桂芳" in page
    assert f"/funds/{accounts.id}/donations/new" in page and "/reverse" in page


def test_a_worker_of_another_community_does_not(client, login_as, world, accounts):
    login_as("community_worker", world["other_community"])
    assert "王秘密" not in text(client.get(f"/funds/{accounts.id}"))


def test_the_accounts_as_csv(client, login, worker, accounts):
    response = client.get(f"/funds/{accounts.id}/accounts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 5  # the header and four movements
    assert "王秘密" not in body and "匿名捐赠" in body and ",3000," in body
    login(worker)
    assert "王秘密" in client.get(f"/funds/{accounts.id}/accounts.csv").get_data(as_text=True)


def test_a_missing_fund_is_404(client):
    assert client.get("/funds/999999").status_code == 404
    assert client.get("/funds/999999/accounts.csv").status_code == 404


# --- keeping: happy paths ---

def test_a_worker_sets_up_a_fund(client, login, worker, world):
    login(worker)
    page = f"/funds/community/{world['community'].id}/new"
    response = client.submit(page, {"name": "草堂路社区微基金", "description": "",
                                     "match_percent": "100", "match_cap": "20,000"},
                             token_from=page)
    assert response.status_code == 303
    fund = db.session.scalar(select(Fund))
    assert (fund.name, fund.match_percent, fund.match_cap_fen) == ("草堂路社区微基金", 100,
                                                                   2_000_000)
    assert response.headers["Location"].endswith(f"/funds/{fund.id}")


def test_a_worker_records_a_donation_once_however_often_it_is_sent(client, login, worker,
                                                                    fund, make_user):
    resident = make_user(name="张桂芳", mobile="13811112222")
    login(worker)
    page = f"/funds/{fund.id}/donations/new"
    data = {"amount": "1,200.50", "donor_name": "张桂芳", "anonymous": "y",
            "mobile": "138 1111 2222", "token": "tok-1"}
    for _ in range(2):
        response = client.submit(page, data, token_from=page)
        assert response.status_code == 303
    donation = db.session.scalar(select(Donation))
    assert count(Donation) == 1 and donation.anonymous and donation.donor_user_id == resident.id
    assert money.balance(fund) == 120_050


def test_a_worker_records_a_grant(client, login, worker, fund):
    login(worker)
    page = f"/funds/{fund.id}/grants/new"
    response = client.submit(page, {"amount": "10000", "source": "street",
                                    "grantor_name": "草堂街道办事处", "token": "t"},
                             token_from=page)
    assert response.status_code == 303
    assert db.session.scalar(select(Donation.grant_source)) == "street"
    assert money.balance(fund) == 1_000_000


def test_a_worker_pays_a_project_and_reverses_a_mistake(client, login, worker, fund, project,
                                                        now):
    money.donate(worker, fund, 2_000_000, "张桂芳", now)
    login(worker)
    page = f"/funds/{fund.id}/disbursements/new"
    assert "停车棚翻修和充电桩安装" in text(client.get(page))
    response = client.submit(page, {"project": str(project.id), "amount": "17,600",
                                    "memo": "首期款", "token": "t"}, token_from=page)
    assert response.status_code == 303
    paid = db.session.scalar(select(FundTransfer).filter_by(kind="disbursement"))
    assert paid.project_id == project.id and money.balance(fund) == 240_000
    page = f"/funds/{fund.id}/transfers/{paid.id}/reverse"
    response = client.submit(page, {"reason": "付错项目"}, token_from=page)
    assert response.status_code == 303
    assert money.balance(fund) == 2_000_000 and money.verify() == []


# --- bad input: 422, the words beside the field, what was typed kept, nothing written ---

@pytest.mark.parametrize("amount", ["-5", "1.005", "一千", "0"])
def test_bad_amounts_are_refused_with_words(client, login, worker, fund, amount):
    login(worker)
    page = f"/funds/{fund.id}/donations/new"
    response = client.submit(page, {"amount": amount, "donor_name": "<script>x</script>李四",
                                    "token": "t"}, token_from=page)
    assert response.status_code == 422
    body = text(response)
    assert 'class="error-summary"' in body and "写金额" in body
    assert "&lt;script&gt;x&lt;/script&gt;李四" in body and f'value="{amount}"' in body
    assert count(FundTransfer) == 0


def test_a_long_name_and_an_unknown_mobile_are_refused(client, login, worker, fund):
    login(worker)
    page = f"/funds/{fund.id}/donations/new"
    response = client.submit(page, {"amount": "10", "donor_name": "长" * 10_000,
                                    "token": "t"}, token_from=page)
    assert response.status_code == 422 and count(FundTransfer) == 0
    response = client.submit(page, {"amount": "10", "donor_name": "李四",
                                    "mobile": "13999999999", "token": "t"}, token_from=page)
    assert response.status_code == 422 and "没有居民" in text(response)
    assert count(FundTransfer) == 0 and count(Donation) == 0


def test_paying_more_than_the_fund_holds_is_refused(client, login, worker, fund, project, now):
    money.donate(worker, fund, 100_000, "张桂芳", now)
    login(worker)
    page = f"/funds/{fund.id}/disbursements/new"
    response = client.submit(page, {"project": str(project.id), "amount": "1,000.01",
                                    "memo": "首期款", "token": "t"}, token_from=page)
    assert response.status_code == 422
    body = text(response)
    assert "1,000 " in body and 'value="1,000.01"' in body and 'value="首期款"' in body
    assert count(FundTransfer) == 1


def test_a_project_of_another_community_is_not_offered(client, login, worker, fund,
                                                       make_project, world, now):
    money.donate(worker, fund, 100_000, "张桂芳", now)
    elsewhere = make_project(title="浣花的项目", place=world["other_courtyard"])
    login(worker)
    page = f"/funds/{fund.id}/disbursements/new"
    assert "浣花的项目" not in text(client.get(page))
    response = client.submit(page, {"project": str(elsewhere.id), "amount": "10",
                                    "token": "t"}, token_from=page)
    assert response.status_code == 422 and count(FundTransfer) == 1


def test_a_fund_without_a_name_is_not_set_up(client, login, worker, world):
    login(worker)
    page = f"/funds/community/{world['community'].id}/new"
    response = client.submit(page, {"name": "", "description": "<b>好</b>",
                                    "match_percent": "500", "match_cap": "-1"},
                             token_from=page)
    assert response.status_code == 422 and "&lt;b&gt;好&lt;/b&gt;" in text(response)
    assert count(Fund) == 0


def test_a_reversal_needs_a_reason(client, login, worker, fund, now):
    given = money.donate(worker, fund, 100, "张桂芳", now)
    login(worker)
    page = f"/funds/{fund.id}/transfers/{given.id}/reverse"
    response = client.submit(page, {"reason": "  "}, token_from=page)
    assert response.status_code == 422 and count(FundTransfer) == 1


def test_a_transfer_of_another_fund_is_404(client, login, worker, fund, world, now):
    other = money.set_up(worker, world["community"], "第二个基金", "", 100, 0, now)
    given = money.donate(worker, other, 100, "张桂芳", now)
    login(worker)
    assert client.get(f"/funds/{fund.id}/transfers/{given.id}/reverse").status_code == 404


# --- who may post ---

WHO = ["resident_here", "resident_elsewhere", "leader_here", "leader_elsewhere", "worker_here",
       "worker_elsewhere", "admin", "anonymous"]


@pytest.fixture
def person(make_user, login, world):
    def sign_in(who):
        roles = {"leader_here": [("courtyard_leader", world["courtyard"])],
                 "leader_elsewhere": [("courtyard_leader", world["other_courtyard"])],
                 "worker_here": [("community_worker", world["community"])],
                 "worker_elsewhere": [("community_worker", world["other_community"])],
                 "admin": [("admin", world["city"])]}.get(who, [])
        home = world["other_courtyard"] if who.endswith("elsewhere") else world["courtyard"]
        if who != "anonymous":
            login(make_user(name="某人", courtyard=home, roles=roles))
    return sign_in


def _routes(fund, project, given):
    return {
        "new_fund": (f"/funds/community/{fund.place_id}/new",
                     {"name": "又一个基金", "match_percent": "100", "match_cap": "0"}),
        "donate": (f"/funds/{fund.id}/donations/new",
                   {"amount": "10", "donor_name": "李四", "token": "t1"}),
        "grant": (f"/funds/{fund.id}/grants/new",
                  {"amount": "10", "source": "street", "grantor_name": "街道", "token": "t2"}),
        "disburse": (f"/funds/{fund.id}/disbursements/new",
                     {"project": str(project.id), "amount": "10", "token": "t3"}),
        "reverse": (f"/funds/{fund.id}/transfers/{given.id}/reverse", {"reason": "录错了"}),
    }


@pytest.mark.parametrize("route", ["new_fund", "donate", "grant", "disburse", "reverse"])
@pytest.mark.parametrize("who", WHO)
def test_who_may_keep_the_books(client, person, fund, project, worker, now, route, who):
    given = money.donate(worker, fund, 100_000, "张桂芳", now)
    db.session.commit()
    path, data = _routes(fund, project, given)[route]
    before = count(Fund), count(FundTransfer), count(Project)
    person(who)
    response = client.submit(path, data)
    if who in ("worker_here", "admin"):
        assert response.status_code == 303
        assert (count(Fund), count(FundTransfer)) != before[:2]
        return
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert (count(Fund), count(FundTransfer), count(Project)) == before
    if who != "anonymous":
        assert client.get(path).status_code == 403
        assert f"/funds/{fund.id}/donations/new" not in text(client.get(f"/funds/{fund.id}"))


def test_a_donor_who_chose_to_be_named_is_shown_in_full(client, accounts, worker, now):
    from portal.funds import money

    money.donate(worker, accounts, 10_000, "李记面馆", now, named=True, key="named")
    db.session.commit()
    assert "李记面馆" in text(client.get(f"/funds/{accounts.id}"))
