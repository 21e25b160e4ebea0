"""The test client runs each request as production does, so stale-object bugs can show."""

from flask import g, request_started

from portal.extensions import db


def test_each_request_has_its_own_context_and_session(app, client, world):
    seen = []

    def record(sender, **extra):
        seen.append((id(db.session()), g.get("marker")))

    g.marker = "the test's"
    request_started.connect(record, app)
    try:
        client.get("/")
        client.get("/")
    finally:
        request_started.disconnect(record, app)
    test_session = id(db.session())
    assert [marker for _session, marker in seen] == [None, None]
    assert all(session != test_session for session, _marker in seen)


def test_the_test_reads_what_a_request_stored(client, make_user, login, world):
    user = login(make_user(name="张桂芳", courtyard=world["courtyard"]))
    assert user.text_size is None  # the test has read it: it would stay in the identity map
    response = client.submit("/accounts/profile", {"name": "张桂芳", "text_size": "large",
                                          "locale": "zh_Hans",
                                          "courtyard": world["courtyard"].id},
                             token_from="/accounts/profile")
    assert response.status_code == 303
    assert user.text_size == "large"
