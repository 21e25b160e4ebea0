"""Flask extensions, created here and bound to the app in ``create_app``."""

import logging
from contextlib import contextmanager

from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them later (SQLite batch mode needs names).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
compress = Compress()  # pages and static files leave compressed in every deployment
cache = Cache()  # shared by the app processes when PORTAL_CACHE_URL names a store


@contextmanager
def cache_may_fail():
    """What the cache holds is a help, never a need: when its store (Redis) is away, the
    work inside is skipped and the page is built without it — never an error page, never a
    stored write answered with an error."""
    try:
        yield
    except Exception:  # redis.ConnectionError, OSError, … depending on the store
        logging.getLogger(__name__).warning("the cache failed; working without it",
                                            exc_info=True)
