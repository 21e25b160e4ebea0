import pytest

from portal.config import InsecureConfiguration, flask_config, read_settings, secret_key
from portal.extensions import db


def test_settings_come_from_portal_variables_with_types_kept():
    settings = read_settings({"PORTAL_FIRST_LOGIN_CODE_HOURS": "24", "PORTAL_ENV": "production",
                              "OTHER": "x"})
    assert settings["FIRST_LOGIN_CODE_HOURS"] == 24
    assert settings["ENV"] == "production"
    assert settings["DEFAULT_LOCALE"] == "zh_Hans"


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    settings = read_settings({})
    first = secret_key(settings, tmp_path)
    assert len(first) == 64 and secret_key(settings, tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(InsecureConfiguration):
        secret_key(read_settings({"PORTAL_ENV": "production"}), tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_marks_cookies_secure(tmp_path, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "BASE_URL": "https://l.cn",
                      "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        db.session.remove()  # give the connection back first: dispose() closes only
        db.engine.dispose()  # pooled ones, and a dropped one warns when collected later


def test_the_default_database_folder_exists_even_when_the_secret_key_is_set(tmp_path):
    """With PORTAL_SECRET_KEY set nothing else creates instance/, and `flask db upgrade` on
    a fresh clone failed with "unable to open database file"."""
    instance = tmp_path / "instance"
    settings = read_settings({"PORTAL_SECRET_KEY": "k" * 64})
    config = flask_config(settings, instance)
    assert instance.is_dir()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'linli.db'}"


def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_saw():
    from portal import create_app

    app = create_app({"TESTING": True, "PROXIES": 1, "DATABASE_URL": "sqlite://"})

    @app.get("/_address")
    def address():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    answer = app.test_client().get(
        "/_address", headers={"X-Forwarded-For": "6.6.6.6, 10.1.2.3",
                              "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    # Only the address the one trusted proxy appended counts, not what the client claimed.
    assert answer.text == "10.1.2.3 https"
    plain = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    plain.add_url_rule("/_address", view_func=address)
    assert plain.test_client().get(
        "/_address", headers={"X-Forwarded-For": "10.1.2.3"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"}).text == "127.0.0.1 http"
