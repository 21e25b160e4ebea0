"""A panel member scores a bid in place: with htmx the scoring block of the bid's page comes
back alone (the kept marks and a confirmation, or the form with its errors and 422); without
it the same form redirects 303 to the call, as before."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.projects.models import Score
from tests.helpers import text

HTMX = {"HX-Request": "true"}


def _marks(call, **overrides):
    data = {f"s-score_{c.id}": "8" for c in call.criteria}
    data[f"s-comment_{call.criteria[0].id}"] = "方案写得很细"
    data.update(overrides)
    return data


def test_the_bid_page_offers_the_form_to_post_in_place(client, login, scene, panel):
    found = scene["bid"]
    login(panel[0])
    html = text(client.get(f"/projects/bids/{found.id}"))
    action = f"/projects/bids/{found.id}/score"
    assert f'action="{action}"' in html and f'hx-post="{action}"' in html
    assert 'hx-target="#score"' in html and 'id="score"' in html


def test_scored_in_place_the_block_alone_shows_the_kept_marks(client, login, scene, panel):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    data = _marks(call, **{f"s-score_{call.criteria[2].id}": "6"})
    response = client.submit(f"{page}/score", data, token_from=page, headers=HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html and "<h1" not in html  # the block, not the page
    assert html.lstrip().startswith('<section id="score"')
    assert 'role="status"' in html and "<form" not in html
    assert "<strong>8</strong>" in html and "<strong>6</strong>" in html
    assert "方案写得很细" in html
    assert "HX-Request" in response.headers["Vary"]
    kept = db.session.scalars(select(Score.score).order_by(Score.criterion_id)).all()
    assert kept == [8, 8, 6]


@pytest.mark.parametrize("value", ["11", "abc", ""])
def test_a_bad_mark_in_place_is_422_with_the_block_and_nothing_written(
        client, login, scene, panel, value):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    bad = call.criteria[1]
    response = client.submit(f"{page}/score", _marks(call, **{f"s-score_{bad.id}": value}),
                             token_from=page, headers=HTMX)
    assert response.status_code == 422
    html = text(response)
    assert "<html" not in html and html.lstrip().startswith('<section id="score"')
    assert 'class="field-error"' in html and f'id="s-score_{bad.id}"' in html
    assert "方案写得很细" in html  # what was typed is kept
    assert f'value="{value}"' in html
    assert 'role="status"' not in html
    assert db.session.scalar(select(func.count(Score.id))) == 0


def test_without_htmx_the_form_still_redirects_to_the_call(client, login, scene, panel):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    response = client.submit(f"{page}/score", _marks(call), token_from=page)
    assert response.status_code == 303
    assert response.location.endswith(f"/projects/calls/{call.id}")
    assert db.session.scalar(select(func.count(Score.id))) == 3


def test_a_stranger_scoring_in_place_is_403_and_nothing_written(client, login, scene,
                                                                  make_user, world):
    call, found = scene["call"], scene["bid"]
    login(make_user(name="路人", courtyard=world["courtyard"]))
    response = client.submit(f"/projects/bids/{found.id}/score", _marks(call), headers=HTMX)
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Score.id))) == 0


def test_scoring_twice_in_place_keeps_the_first_marks(client, login, scene, panel):
    call, found = scene["call"], scene["bid"]
    login(panel[0])
    page = f"/projects/bids/{found.id}"
    assert client.submit(f"{page}/score", _marks(call), token_from=page,
                         headers=HTMX).status_code == 200
    again = client.submit(f"{page}/score", _marks(call, **{
        f"s-score_{call.criteria[0].id}": "2"}), token_from=page, headers=HTMX)
    assert again.status_code == 422
    html = text(again)
    assert 'role="alert"' in html and "您已经给这份方案评过分了。" in html  # why nothing changed
    assert "<strong>8</strong>" in html and "<strong>2</strong>" not in html
    assert db.session.scalars(select(Score.score)).all() == [8, 8, 8]
