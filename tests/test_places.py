import pytest

from portal.extensions import db
from portal.places.models import Place, within
from portal.places.tree import InvalidPlace, add_place, courtyards_near, descendants, search
from tests.helpers import text


def test_paths_follow_the_tree(world):
    courtyard = world["courtyard"]
    assert courtyard.path == "/".join(
        ["", *(str(p.id) for p in courtyard.lineage()), ""])
    assert [p.kind for p in courtyard.lineage()] == [
        "city", "district", "street", "community", "courtyard"]
    assert courtyard.ancestor("community") == world["community"]
    assert courtyard.ancestor("group") is None


def test_subtree_query_finds_exactly_the_places_below(world):
    under_community = db.session.scalars(descendants(world["community"])).all()
    assert set(under_community) == {world["courtyard"], world["courtyard2"], world["building"]}
    assert set(db.session.scalars(descendants(world["community"], "courtyard"))) == {
        world["courtyard"], world["courtyard2"]}
    # A sibling whose id starts with the same digits must not leak in (/1/2/ vs /1/23/).
    everything = db.session.scalars(db.select(Place).where(within(world["community"]))).all()
    assert world["other_courtyard"] not in everything


def test_subtree_condition_does_not_confuse_ids_sharing_digits():
    # /1/2/ must not contain its sibling /1/21/, but must contain its child /1/2/5/.
    paths = ["/1/", "/1/2/", "/1/2/5/", "/1/21/", "/1/21/7/", "/1/3/"]
    db.session.add_all(Place(kind="street", name=path, path=path) for path in paths)
    db.session.flush()
    inside = db.session.scalars(
        db.select(Place.path).where(within(Place(path="/1/2/"))).order_by(Place.path)).all()
    assert inside == ["/1/2/", "/1/2/5/"]


def test_contains(world):
    assert world["community"].contains(world["building"])
    assert not world["community"].contains(world["other_courtyard"])
    assert not world["courtyard"].contains(None)


@pytest.mark.parametrize("parent_kind, kind", [("courtyard", "community"), ("community", "street"),
                                               ("building", "building")])
def test_a_place_cannot_sit_under_a_smaller_one(parent_kind, kind):
    parent = add_place("city", "X")
    for step in ("district", "street", "community", "courtyard", "building"):
        if parent.kind == parent_kind:
            break
        parent = add_place(step, step, parent)
    with pytest.raises(InvalidPlace):
        add_place(kind, "bad", parent)


def test_unknown_kind_is_refused():
    with pytest.raises(InvalidPlace):
        add_place("planet", "Earth")


def test_search_matches_names_and_treats_wildcards_literally(world):
    assert search("133") == [world["courtyard"]]
    assert set(search("草堂")) == {world["community"], world["courtyard"], world["courtyard2"]}
    assert search("草堂")[0] == world["community"]  # larger places first
    assert search("%") == []
    assert search("_") == []
    assert search("   ") == []


def test_courtyards_near_are_those_of_the_same_community(world):
    assert set(courtyards_near(world["courtyard"])) == {world["courtyard"], world["courtyard2"]}


def test_places_index_lists_the_top_and_searches(client, world):
    page = text(client.get("/places/"))
    assert "成都市" in page
    found = client.get("/places/", query_string={"q": "133号院"})
    assert "草堂东路133号院" in text(found)
    assert "草堂北路8号院" not in text(found)


def test_search_as_htmx_returns_only_the_results_block(client, world):
    response = client.get("/places/", query_string={"q": "133"}, headers={"HX-Request": "true"})
    body = text(response)
    assert "<html" not in body and 'id="results"' in body and "草堂东路133号院" in body
    assert "HX-Request" in response.headers["Vary"]


def test_back_button_restore_gets_the_whole_page(client, world):
    response = client.get("/places/", query_string={"q": "133"},
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


def test_place_page_shows_children_and_breadcrumbs(client, world):
    page = text(client.get(f"/places/{world['community'].id}"))
    assert "草堂东路133号院" in page and "草堂北路8号院" in page
    assert 'aria-label="当前位置"' in page and "青羊区" in page
    assert "028-87331234" in page


def test_unknown_place_is_404(client):
    assert client.get("/places/999999").status_code == 404


def test_choosing_a_courtyard_makes_the_home_page_speak_of_it(client, world):
    courtyard = world["courtyard"]
    response = client.submit(f"/places/{courtyard.id}/choose", {"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = client.get_cookie("courtyard")
    assert cookie.value == str(courtyard.id) and cookie.http_only
    home = text(client.get("/"))
    assert "<h1>草堂东路133号院</h1>" in home
    assert "草堂路社区" in home and "tel:02887331234" in home


def test_choose_refuses_what_is_not_a_courtyard(client, world):
    assert client.submit(f"/places/{world['community'].id}/choose").status_code == 400
    assert client.submit("/places/424242/choose").status_code == 404
    assert client.get_cookie("courtyard") is None


def test_choose_needs_the_csrf_token(client, world):
    response = client.post(f"/places/{world['courtyard'].id}/choose")
    assert response.status_code == 400
    assert "表单已过期" in text(response)
    assert client.get_cookie("courtyard") is None


def test_choose_does_not_redirect_off_site(client, world):
    response = client.submit(f"/places/{world['courtyard'].id}/choose",
                             {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    for elsewhere in ("//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.submit(f"/places/{world['courtyard'].id}/choose", {"next": elsewhere})
        assert response.headers["Location"] == "/"


def test_a_stale_courtyard_cookie_is_ignored(client, world):
    client.set_cookie("courtyard", "999999")
    assert "选择我的院落" in text(client.get("/"))
    client.set_cookie("courtyard", "not-a-number")
    assert client.get("/").status_code == 200


def test_forget_the_courtyard(client, world):
    client.submit(f"/places/{world['courtyard'].id}/choose")
    client.submit("/places/forget")
    assert client.get_cookie("courtyard") is None
