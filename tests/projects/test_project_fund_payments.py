"""Paying a project's instalment out of a community fund: the payment is a disbursement in
the fund's own books, linked from the payment and shown on both pages; the same form sent
twice pays once; a fund holding too little, or one the project is not funded by, refuses
it and nothing is written. Without a fund chosen, a payment is what it was."""

import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit import AuditEntry
from portal.extensions import db
from portal.funds import money
from portal.funds.models import Fund, FundTransfer
from portal.projects import projects
from portal.projects.models import Payment, Project
from portal.refusals import Refused
from tests.helpers import audit_page, text
from tests.projects.conftest import ROLES
from tests.races import race


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _disbursements():
    return _count(FundTransfer, FundTransfer.kind == "disbursement")


@pytest.fixture
def fund(worker, world, now):
    """草堂路社区's fund, holding 800 yuan."""
    made = money.set_up(worker, world["community"], "草堂路社区基金", "", 100, 0, now)
    money.donate(worker, made, 80_000, "张三", now, key="gift-1")
    db.session.commit()
    return made


@pytest.fixture
def funded(contracted, fund):
    """The contracted project (1,000 yuan), its community fund line drawn from ``fund``."""
    line = next(line for line in contracted.funding if line.source == "community_fund")
    line.fund_id = fund.id
    db.session.commit()
    return contracted


# --- the rule ------------------------------------------------------------------------------

def test_a_payment_out_of_the_fund_is_a_disbursement_it_links_to(funded, fund, worker, now):
    assert projects.payable_funds(funded) == [fund]
    paid = projects.pay(worker, funded, "首付款 60%", 60_000, now, fund=fund, key="tap-one")
    transfer = db.session.get(FundTransfer, paid.fund_transfer_id)
    assert (transfer.kind, transfer.fund_id, transfer.project_id) == (
        "disbursement", fund.id, funded.id)
    assert transfer.key == f"project-payment:{funded.id}:tap-one"
    assert transfer.memo == "首付款 60%"
    assert money.balance(fund) == 20_000
    assert money.verify() == []
    assert projects.payment_funds(funded) == {paid.id: fund}
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "projects.pay"))
    assert entry.details["fund"] == fund.id and entry.details["amount_fen"] == 60_000


def test_the_same_form_sent_twice_pays_once(funded, fund, worker, now):
    first = projects.pay(worker, funded, "首付款", 60_000, now, fund=fund, key="tap-one")
    again = projects.pay(worker, funded, "首付款", 60_000, now, fund=fund, key="tap-one")
    assert again.id == first.id
    assert _count(Payment) == 1 and _disbursements() == 1
    assert money.balance(fund) == 20_000
    # A second instalment is a new form, with a new key.
    projects.pay(worker, funded, "尾款", 10_000, now, fund=fund, key="tap-two")
    assert _count(Payment) == 2 and money.balance(fund) == 10_000


def test_the_last_instalment_sent_twice_is_not_refused_as_over_the_contract(
        funded, fund, worker, now):
    money.donate(worker, fund, 500_000, "李四", now, key="gift-2")
    first = projects.pay(worker, funded, "全款", 100_000, now, fund=fund, key="tap-all")
    assert projects.pay(worker, funded, "全款", 100_000, now, fund=fund,
                        key="tap-all").id == first.id


def test_a_fund_holding_too_little_refuses_and_nothing_is_written(funded, fund, worker, now):
    written = _count(AuditEntry)
    with pytest.raises(Refused) as refused:
        projects.pay(worker, funded, "首付款", 90_000, now, fund=fund, key="tap-one")
    assert (refused.value.reason, refused.value.field) == ("fund_insufficient", "amount")
    assert refused.value.details == {"balance": "800"}
    assert _count(Payment) == 0 and _disbursements() == 0
    assert _count(AuditEntry) == written
    assert money.balance(fund) == 80_000 and funded.stage == "contracted"


def test_only_a_fund_the_project_is_funded_by_may_pay(funded, fund, worker, world, now):
    unnamed = money.set_up(worker, world["community"], "另一个基金", "", 100, 0, now)
    money.donate(worker, unnamed, 80_000, "王五", now, key="gift-3")
    elsewhere = money.set_up(worker, world["other_community"], "别的社区基金", "", 100, 0, now)
    money.donate(worker, elsewhere, 80_000, "赵六", now, key="gift-4")
    for other in (unnamed, elsewhere):
        with pytest.raises(Refused) as refused:
            projects.pay(worker, funded, "首付款", 100, now, fund=other, key="tap-one")
        assert (refused.value.reason, refused.value.field) == ("project_fund_not_here", "fund")
    assert _count(Payment) == 0 and _disbursements() == 0
    assert projects.payable_funds(funded) == [fund]


def test_without_a_fund_a_payment_is_what_it_was(funded, fund, worker, now):
    paid = projects.pay(worker, funded, "首付款", 60_000, now)
    assert paid.fund_transfer_id is None
    assert money.balance(fund) == 80_000 and _disbursements() == 0
    assert projects.payment_funds(funded) == {}


def test_a_project_funded_by_no_fund_offers_none(contracted):
    assert projects.payable_funds(contracted) == []


# --- over HTTP -----------------------------------------------------------------------------

def _token(html):
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_worker_pays_out_of_the_fund_and_both_pages_show_it(client, login, funded, fund,
                                                                worker, zh):
    page = f"/projects/{funded.id}"
    login(worker)
    form = text(client.get(page))
    assert 'name="fund"' in form and f'<option value="{fund.id}">草堂路社区基金</option>' in form
    data = {"label": "首付款", "amount": "600", "fund": fund.id, "token": _token(form)}
    response = client.submit(f"{page}/payments", data, token_from=page)
    assert response.status_code == 303
    twice = client.submit(f"{page}/payments", data, token_from=page)  # a double tap
    assert twice.status_code == 303
    assert _count(Payment) == 1 and _disbursements() == 1
    assert money.balance(fund) == 20_000
    client.get("/accounts/logout")
    shown = client.get(page)
    html = text(shown)
    assert zh("From the fund:") in html and f'href="/funds/{fund.id}">草堂路社区基金</a>' in html
    audit_page(shown)
    accounts = text(client.get(f"/funds/{fund.id}"))
    assert f'href="/projects/{funded.id}"' in accounts and "首付款" in accounts


def test_a_fund_holding_too_little_is_422_with_its_words_and_nothing_written(
        client, login, funded, fund, worker, zh):
    page = f"/projects/{funded.id}"
    login(worker)
    form = text(client.get(page))
    response = client.submit(f"{page}/payments", {
        "label": "首付款丙", "amount": "900", "fund": fund.id, "token": _token(form)},
        token_from=page)
    assert response.status_code == 422
    html = text(response)
    assert "首付款丙" in html and 'value="900"' in html
    assert zh("The fund holds only %(balance)s yuan: it cannot pay out more than that.",
              balance="800") in html
    assert f'<option selected value="{fund.id}">' in html
    assert _count(Payment) == 0 and _disbursements() == 0
    assert money.balance(fund) == 80_000


@pytest.mark.parametrize("fund_value", ["999999", "abc"])
def test_a_fund_not_offered_is_422_and_nothing_written(client, login, funded, fund, worker,
                                                       fund_value):
    page = f"/projects/{funded.id}"
    login(worker)
    response = client.submit(f"{page}/payments", {
        "label": "首付款", "amount": "100", "fund": fund_value, "token": "abcdefgh12"},
        token_from=page)
    assert response.status_code == 422
    assert _count(Payment) == 0 and _disbursements() == 0


def test_a_fund_payment_without_its_token_is_422(client, login, funded, fund, worker):
    page = f"/projects/{funded.id}"
    login(worker)
    response = client.submit(f"{page}/payments", {
        "label": "首付款", "amount": "100", "fund": fund.id}, token_from=page)
    assert response.status_code == 422
    assert _count(Payment) == 0 and _disbursements() == 0


def test_without_a_fund_the_form_still_pays_as_before(client, login, funded, fund, worker):
    page = f"/projects/{funded.id}"
    login(worker)
    assert client.submit(f"{page}/payments", {"label": "首付款", "amount": "100"},
                         token_from=page).status_code == 303
    assert db.session.scalar(select(Payment.fund_transfer_id)) is None
    assert money.balance(fund) == 80_000


@pytest.mark.parametrize("role", ROLES)
def test_who_may_pay_out_of_the_fund(client, funded, fund, sign_in, role):
    page = f"/projects/{funded.id}"
    sign_in(role)
    written = _count(AuditEntry)
    response = client.submit(f"{page}/payments", {
        "label": "首付款", "amount": "100", "fund": fund.id, "token": "abcdefgh12"})
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("worker_here", "admin"):
        assert response.status_code == 303
        assert _count(Payment) == 1 and money.balance(fund) == 70_000
    else:
        assert response.status_code == 403
    if role not in ("worker_here", "admin"):
        assert _count(AuditEntry) == written
        assert _count(Payment) == 0 and _disbursements() == 0
    assert db.session.get(Project, funded.id).stage == "contracted"


def test_a_fund_pays_at_most_its_funding_line(funded, fund, worker, now):
    """The contract allows 1,000 yuan; the fund's line on the project is 300."""
    line = next(line for line in funded.funding if line.fund_id == fund.id)
    line.amount_fen = 30_000
    db.session.commit()
    projects.pay(worker, funded, "首付款", 20_000, now, fund=fund, key="tap-one")
    with pytest.raises(Refused) as refused:
        projects.pay(worker, funded, "二期款", 10_001, now, fund=fund, key="tap-two")
    assert refused.value.reason == "project_payment_over_line"
    assert _count(Payment) == 1 and _disbursements() == 1
    assert money.balance(fund) == 60_000
    projects.pay(worker, funded, "二期款", 10_000, now, fund=fund, key="tap-three")  # exactly
    projects.pay(worker, funded, "尾款", 70_000, now)  # the rest from elsewhere, as contracted
    assert projects.paid_from_fen(funded, fund) == 30_000 and projects.paid_fen(funded) == 100_000
    assert money.verify() == []


def test_over_the_funding_line_is_422_with_its_words_and_nothing_written(
        client, login, funded, fund, worker, zh):
    line = next(line for line in funded.funding if line.fund_id == fund.id)
    line.amount_fen = 30_000
    db.session.commit()
    page = f"/projects/{funded.id}"
    login(worker)
    form = text(client.get(page))
    response = client.submit(f"{page}/payments", {
        "label": "首付款", "amount": "300.01", "fund": fund.id, "token": _token(form)},
        token_from=page)
    assert response.status_code == 422
    html = text(response)
    assert 'value="300.01"' in html and "首付款" in html  # what was typed is kept
    assert zh("Paid out of %(fund)s, the payments would come to %(total)s yuan, more than the "
              "%(line)s yuan its funding line puts into the project.",
              fund="草堂路社区基金", total="300.01", line="300") in html
    assert _count(Payment) == 0 and _disbursements() == 0


@pytest.mark.postgres
def test_two_payments_at_once_cannot_both_pass_the_funding_line(app, funded, fund, worker, now):
    """Each fits the fund's 300-yuan line alone, not both: on PostgreSQL with two real
    connections the second waits for the first and is refused."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("locks between two connections are tested on PostgreSQL")
    line = next(line for line in funded.funding if line.fund_id == fund.id)
    line.amount_fen = 30_000
    money.project_account(fund, funded)
    db.session.commit()
    project_id, fund_id, worker_id = funded.id, fund.id, worker.id

    def pay(key):
        def action():
            return projects.pay(db.session.get(User, worker_id),
                                db.session.get(Project, project_id), "首付款", 20_000, now,
                                fund=db.session.get(Fund, fund_id), key=key).id
        return action

    results = race(app, pay("tap-a"), pay("tap-b"))
    assert isinstance(results["first"], int)
    assert results["second"] == "project_payment_over_line"
    db.session.expire_all()
    assert _count(Payment) == 1 and _disbursements() == 1
    assert money.verify() == []
