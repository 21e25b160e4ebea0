"""Every route attacked by itself.

The routes come from the application's own URL map and the fields from the forms its pages
show, so a route that a later domain adds is attacked too without anyone writing a test for
it. Each attack runs over the demo world, signed in as the administrator and as a volunteer
(who between them reach every page), and as nobody:

- every state-changing route refuses a missing, a foreign and a garbage CSRF token, and the
  database is exactly as it was;
- every query parameter a GET route reads comes back escaped when it carries markup (pages
  and htmx fragments), and huge or negative numbers in it are not a 5xx;
- every ``<int:>`` in a route answers 404 for 0, -1, 2^63 and 10^30, for GET and POST;
- every form, fed by Hypothesis with whitespace, NUL, huge exponents, 10,000 characters, emoji
  and repeated fields, is answered with a 4xx or its own page, never a 5xx, and no message
  is WTForms' English default.
"""

import hashlib
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from portal.accounts.models import User
from portal.demo import seed_demo
from portal.extensions import db
from tests.conftest import CSRF_FIELD

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BAD_IDS = ("0", "-1", str(2**63), str(10**30))
MARKUP = '"><b data-probe="1">x</b>'
NASTY = ["", " ", "\t \n", "\u3000", "\x00", "a\x00b", "1e999999", "-1e999999", "NaN",
         "Infinity", "-1", "0", "1.5", "9" * 40, str(2**63), "x" * 10_000, "😀" * 30,
         "<b>x</b>", "=1+2", "2026-02-30", "24:00", "13800138000", "null", "[]"]
# What WTForms says when a form forgot to give its own message; users must never see these.
WTFORMS_ENGLISH = ("This field is required", "Not a valid", "Invalid input", "Invalid Choice",
                   "Field must be", "Invalid email", "Not a valid choice")
SIGN_OUT = {"accounts.logout"}  # attacked too, but the identity is restored after each call


@pytest.fixture
def demo(app):
    seed_demo()
    people = {mobile: db.session.scalar(db.select(User).filter_by(mobile=mobile))
              for mobile in ("13900000000", "13900000005")}
    return {"admin": people["13900000000"], "volunteer": people["13900000005"]}


@pytest.fixture(params=["admin", "volunteer", "nobody"])
def visitor(request, demo, client, login):
    """A client signed in as one of the demo's people (or no one); ``sign_in()`` again."""
    person = demo.get(request.param)

    def sign_in():
        with client.session_transaction() as session:
            session.clear()
        if person is not None:
            db.session.refresh(person)
            login(person)

    sign_in()
    client.sign_in = sign_in
    client.person = person
    return client


def _rules(app, methods):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.endpoint != "static" and rule.methods & methods),
                  key=lambda rule: rule.rule)


def _url(rule, value="1", only=None):
    """``rule``'s path with ``value`` in every argument (or only in ``only``; 1 elsewhere)."""
    values = {name: (value if only in (None, name) else "1") for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _answer(send, *args, **kwargs):
    """(status, text) of ``send(...)``; an exception the app let through counts as a 500."""
    try:
        response = send(*args, **kwargs)
    except Exception as error:  # noqa: BLE001  (any exception is the finding)
        db.session.rollback()
        return 500, f"{type(error).__name__}: {error}"
    if not (response.mimetype.startswith("text/") or response.is_json
            or response.mimetype.endswith("+json")):
        # A spreadsheet or an image: no markup to reflect, nothing to read as text.
        return response.status_code, ""
    return response.status_code, response.get_data(as_text=True)


def _int_arguments(rule):
    return [name for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)]


def _snapshot():
    """A digest of every row of every table."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(repr((table.name, rows)).encode())
    return digest.hexdigest()


# --- CSRF ---

def test_every_write_route_refuses_a_missing_foreign_or_garbage_csrf_token(app, visitor):
    stranger = app.test_client()
    foreign = CSRF_FIELD.search(stranger.get("/accounts/login").get_data(as_text=True)).group(1)
    before = _snapshot()
    accepted = []
    for rule in _rules(app, WRITE_METHODS):
        for label, data in (("missing", {}), ("foreign", {"csrf_token": foreign}),
                            ("garbage", {"csrf_token": "x" * 40})):
            response = visitor.post(_url(rule), data=data)
            if response.status_code != 400:
                accepted.append(f"{rule.rule} ({label} token): {response.status_code}")
        visitor.sign_in()
    assert accepted == []
    assert _snapshot() == before


# --- reflected markup and numbers in query values ---

_read = set()


class _RecordingArgs(ImmutableMultiDict):
    """Query values that remember which names the view asked for."""

    def __getitem__(self, key):
        _read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _read.add(key)
        return super().__contains__(key)


def _answering_urls(app, client):
    """Each GET route built with ids 1 to 3, the first that answers 200 (as this visitor)."""
    urls = []
    for rule in _rules(app, {"GET"}):
        for value in ("1", "2", "3") if rule.arguments else ("1",):
            url = _url(rule, value)
            if _answer(client.get, url)[0] == 200:
                urls.append(url)
                break
    return urls


def _parameters_read(app, client, url, monkeypatch):
    class RecordingRequest(app.request_class):
        parameter_storage_class = _RecordingArgs

    monkeypatch.setattr(app, "request_class", RecordingRequest)
    _read.clear()
    client.get(url)
    client.get(url, headers={"HX-Request": "true"})
    monkeypatch.undo()
    return sorted(_read - {"csrf_token"})


def test_query_values_come_back_escaped_and_numbers_never_fail(app, visitor, monkeypatch):
    reflected, failed, probed = [], [], 0
    for url in _answering_urls(app, visitor):
        for name in _parameters_read(app, visitor, url, monkeypatch):
            for value in (MARKUP, "-1", str(2**63), str(10**30), "1e999999", "\x00"):
                for headers in ({}, {"HX-Request": "true"}):
                    status, html = _answer(visitor.get, url, query_string={name: value},
                                           headers=headers)
                    probed += 1
                    if status >= 500:
                        failed.append(f"{url}?{name}={value[:12]} {headers}: {html[:200]}")
                    elif "<b data-probe" in html:
                        reflected.append(f"{url}?{name}= {headers}")
    assert probed > 0
    assert reflected == []
    assert failed == []


# --- ids in paths ---

def test_every_id_in_a_path_answers_404_for_ids_that_cannot_exist(app, visitor):
    wrong = []
    for rule in _rules(app, {"GET"} | WRITE_METHODS):
        for name in _int_arguments(rule):
            for value in BAD_IDS:
                url = _url(rule, value, only=name)
                answers = []
                if "GET" in rule.methods:
                    answers.append(("GET", _answer(visitor.get, url)[0]))
                if rule.methods & WRITE_METHODS:
                    token = visitor.csrf_token("/")
                    answers.append(("POST", _answer(visitor.post, url,
                                                    data={"csrf_token": token})[0]))
                    visitor.sign_in()
                # Nobody signed in is sent to the sign-in page before anything is looked up.
                allowed = {404} if visitor.person else {404, 302}
                wrong += [f"{method} {url}: {status}" for method, status in answers
                          if status not in allowed]
    assert wrong == []


# --- forms fuzzed ---

class _Forms(HTMLParser):
    """The names of the fields of every POST form on a page, by the path it posts to."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.fields = {}
        self._action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            action = urlsplit(urljoin(self.page_url, attrs.get("action") or self.page_url)).path
            self._action = self.fields.setdefault(action, set())
        elif tag in ("input", "select", "textarea", "button") and self._action is not None:
            if attrs.get("name") and attrs["name"] != "csrf_token":
                self._action.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


def _form_fields(app, client):
    """Field names by the path their form posts to, from every page this visitor can open."""
    fields = {}
    for url in _answering_urls(app, client):
        parser = _Forms(url)
        parser.feed(_answer(client.get, url)[1])
        for action, names in parser.fields.items():
            fields.setdefault(action, set()).update(names)
    return fields


values = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


def _fuzz(visitor, rule, names, failures, statuses):
    """Post Hypothesis' values in ``names`` to ``rule``; note every 5xx and English default."""
    url = _url(rule)

    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({
        name: st.one_of(values, st.lists(values, min_size=2, max_size=2)) for name in names}))
    def post(data):
        data["csrf_token"] = visitor.csrf_token("/")
        status, html = _answer(visitor.post, url, data=data)
        statuses.add(status)
        if rule.endpoint in SIGN_OUT:
            visitor.sign_in()
        if status >= 500:
            failures.append(f"{url} {sorted(data.items())!r:.200}: {html[:200]}")
        english = [text for text in WTFORMS_ENGLISH if text in html]
        if english:
            failures.append(f"{url}: WTForms' own English message {english}")

    post()


def test_no_form_answers_nasty_input_with_a_server_error(app, visitor):
    fields = _form_fields(app, visitor)
    everything = set().union(*fields.values())
    failures, statuses = [], set()
    for rule in _rules(app, WRITE_METHODS):
        _fuzz(visitor, rule, sorted(fields.get(_url(rule)) or everything), failures, statuses)
    assert failures == []
    # The values reached the forms' own checks (not only the sign-in page or a 400).
    assert 422 in statuses


def test_the_attacks_see_the_routes_that_matter(app):
    # If the URL map reading broke, the tests above would pass attacking nothing.
    rules = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"accounts.login", "timebank.gift", "servicemap.index"} <= rules
    assert isinstance(app, Flask)
