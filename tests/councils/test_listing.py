"""The public 三事清单: filters, private requests never shown, CSV, response-time medians."""

from datetime import timedelta

from portal.councils import listing
from tests.helpers import audit_page, text


def _path(world, suffix=""):
    return f"/councils/communities/{world['community'].id}/requests{suffix}"


def test_the_list_filters_and_hides_private_requests(client, world, resident, make_request):
    make_request(resident, title="小事一件", klass="minor", state="with_council")
    make_request(resident, title="大事一件", klass="major", state="referred")
    make_request(resident, title="私下的事", public=False)
    make_request(resident, title="别处的事", courtyard=world["other_courtyard"])
    page = client.get(_path(world))
    assert page.status_code == 200
    audit_page(page)
    shown = text(page)
    assert "小事一件" in shown and "大事一件" in shown
    assert "私下的事" not in shown and "别处的事" not in shown
    minor = text(client.get(_path(world, "?klass=minor")))
    assert "小事一件" in minor and "大事一件" not in minor
    bad = client.get(_path(world, "?klass=nonsense&courtyard=abc"))
    assert bad.status_code == 200 and "大事一件" in text(bad)  # the bad filter is ignored


def test_the_csv_has_a_bom_a_header_and_no_private_rows(client, world, resident,
                                                        make_request):
    make_request(resident, title="=HYPERLINK(1)", klass="minor", state="with_council")
    make_request(resident, title="私下的事", public=False)
    response = client.get(_path(world, ".csv?klass=minor"))
    body = response.get_data().decode("utf-8")
    assert response.mimetype == "text/csv" and body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and lines[0].count(",") == 8
    assert "'=HYPERLINK(1)" in lines[1] and "私下的事" not in body
    assert resident.name not in body and resident.mobile not in body


def test_a_place_that_is_not_a_community_is_not_found(client, world):
    assert client.get(f"/councils/communities/{world['courtyard'].id}/requests"
                      ).status_code == 404


def test_median_days_per_class(world, resident, make_request, now):
    day = timedelta(days=1)
    start = now - 30 * day
    for triaged, closed in ((1, 3), (2, None), (5, 10)):
        make_request(resident, klass="minor", state="closed" if closed else "with_council",
                     created_at=start, triaged_at=start + triaged * day,
                     closed_at=start + closed * day if closed else None)
    make_request(resident, klass="major", state="referred", created_at=start,
                 triaged_at=start + 4 * day)
    make_request(resident, klass="minor", state="closed", public=False, created_at=start,
                 triaged_at=start + 40 * day, closed_at=start + 90 * day)
    make_request(resident, klass="minor", state="closed", created_at=now - 400 * day,
                 triaged_at=now - 300 * day, closed_at=now - 200 * day)  # over a year ago
    times = listing.response_times(world["community"], now)
    assert times["minor"] == listing.Times(2, 3, 6.5, 2)
    assert times["major"] == listing.Times(4, 1, None, 0)
    assert times["private"] == listing.Times(None, 0, None, 0)
