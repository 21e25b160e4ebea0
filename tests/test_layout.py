"""What every page must be: its language stated, no inline script or style, within 14 KB."""

import pytest

from portal.extensions import db
from tests.helpers import audit_page, text

# A URL no route answers: the one page of the list that must be the "not found" page.
MISSING_PAGE = "/no-such-page"


def foundation_pages(world, make_user):
    """(who, url) for every page of the foundation, as the person who would open it;
    pages for visitors come first. Each exists for that person (200), except
    ``MISSING_PAGE``."""
    worker = make_user(name="李晓梅", roles=[("community_worker", world["community"])],
                       courtyard=world["courtyard2"])
    resident = make_user(name="张桂芳", courtyard=world["courtyard"])
    other_worker = make_user(roles=[("community_worker", world["other_community"])])
    return [
        (None, "/"),
        (None, "/places/"),
        (None, "/places/?q=草堂"),
        (None, f"/places/{world['city'].id}"),
        (None, f"/places/{world['community'].id}"),
        (None, f"/places/{world['courtyard'].id}"),
        (None, f"/organizations/{world['organization'].id}"),
        (None, "/accounts/login"),
        (None, "/accounts/register"),
        (None, "/accounts/first-login"),
        (None, MISSING_PAGE),
        (resident, "/"),
        (resident, "/accounts/profile"),
        (worker, "/accounts/work"),
        (worker, "/accounts/counter"),
        (worker, "/accounts/people?q=张"),
        (worker, f"/accounts/people/{resident.id}"),
        (worker, f"/accounts/people/{resident.id}/slip"),
        (worker, f"/accounts/roles/place/{world['courtyard'].id}"),
        (other_worker, f"/accounts/roles/organization/{world['other_organization'].id}"),
    ]


@pytest.mark.parametrize("language, lang", [("zh-CN", "zh-Hans"), ("en", "en")])
def test_every_page_states_its_language_has_no_inline_code_and_fits_14kb(
        client, world, make_user, login, language, lang):
    for who, url in foundation_pages(world, make_user):
        if who:
            login(who)
        response = client.get(url, headers={"Accept-Language": language})
        # The "not found" page is held to the same rules; every other page is there.
        assert response.status_code == (404 if url == MISSING_PAGE else 200), url
        audit_page(response, lang)


def test_language_follows_setting_then_cookie_then_browser(client, world, login, make_user):
    assert 'lang="en"' in text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert 'lang="zh-Hans"' in text(client.get("/", headers={"Accept-Language": "zh-TW"}))
    assert 'lang="zh-Hans"' in text(client.get("/", headers={"Accept-Language": "fr"}))
    client.submit("/settings/language", {"value": "en"})
    assert 'lang="en"' in text(client.get("/", headers={"Accept-Language": "zh-CN"}))
    user = login(make_user(locale="zh_Hans"))
    assert 'lang="zh-Hans"' in text(client.get("/", headers={"Accept-Language": "en"}))
    client.submit("/settings/language", {"value": "en", "next": "/places/"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_text_size_switch_works_as_a_plain_form(client, world):
    response = client.submit("/settings/text-size", {"value": "xlarge", "next": "/places/"})
    assert response.status_code == 303 and response.headers["Location"] == "/places/"
    page = text(client.get("/places/"))
    assert 'class="size-xlarge"' in page
    assert 'value="xlarge" aria-pressed="true"' in page


@pytest.mark.parametrize("endpoint", ["/settings/text-size", "/settings/language"])
def test_preferences_refuse_unknown_values(client, endpoint):
    assert client.submit(endpoint, {"value": "<script>"}).status_code == 400
    assert client.post(endpoint, data={"value": "en"}).status_code == 400  # no CSRF token


def test_security_headers_and_cookies(client, world):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    client.submit(f"/places/{world['courtyard'].id}/choose")
    for name in ("session", "courtyard"):
        cookie = client.get_cookie(name)
        assert cookie.http_only and cookie.same_site == "Lax"


def test_static_files_carry_a_content_hash_and_cache_for_a_year(client):
    page = text(client.get("/"))
    css_url = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in css_url
    response = client.get(css_url)
    response.close()
    assert response.status_code == 200
    assert response.cache_control.max_age == 31536000 and response.cache_control.immutable
    searchable = text(client.get("/places/"))  # a page that swaps its results in place
    htmx_tag = searchable.split('<script src="')[1].split(">")[0]
    assert "htmx.min.js?v=" in htmx_tag and "defer" in htmx_tag


def test_the_home_page_does_without_htmx(client):
    # 16 KB less on the first visit over a slow line; its links and forms need no script.
    page = text(client.get("/"))
    assert "htmx" not in page and " hx-" not in page


def test_htmx_is_configured_without_inline_script_and_sends_csrf(client):
    page = text(client.get("/places/"))
    assert '<meta name="htmx-config"' in page and "includeIndicatorStyles&#34;:false" in page
    assert "hx-headers='{\"X-CSRFToken\": \"" in page


def test_htmx_posts_with_the_header_token_are_accepted(client, world):
    token = client.csrf_token()
    response = client.post(f"/places/{world['courtyard'].id}/choose",
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"


@pytest.mark.parametrize("path", ["/timebank/me/log", "/timebank/logs/1/approve",
                                  "/timebank/signups/1/check-in"])
def test_a_redirect_never_answers_an_htmx_request(client, path):
    """htmx would follow it and swap a whole page, header and menu, into a fragment: the
    browser is told to go there instead (here: an expired sign-in on an htmx form)."""
    response = client.post(path, data={"csrf_token": client.csrf_token()},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.get_data() == b""
    assert "Location" not in response.headers
    assert response.headers["HX-Redirect"].startswith("/accounts/login?next=")
    assert "HX-Request" in response.headers["Vary"]
    # Without htmx: the same redirect as always.
    plain = client.post(path, data={"csrf_token": client.csrf_token()})
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/accounts/login")
    assert "HX-Redirect" not in plain.headers


@pytest.mark.parametrize("language, title", [("zh-CN", "找不到这个页面"), ("en", "Page not found")])
def test_not_found_page_in_both_languages(client, language, title):
    response = client.get("/nowhere", headers={"Accept-Language": language})
    assert response.status_code == 404 and title in text(response)


def test_forbidden_page(client, world, login_as):
    login_as()
    response = client.get("/accounts/counter")
    assert response.status_code == 403 and "您不能在这里这样操作" in text(response)


def test_server_error_page_is_friendly(app, client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "main.home", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in text(response)
    assert "boom" not in text(response)


def test_too_long_requests_are_refused(client):
    response = client.post("/accounts/login", data={"mobile": "1" * (3 * 1024 * 1024)})
    assert response.status_code == 413
