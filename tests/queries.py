"""Counting the SQL a block of code sends (after Indico's ``count_queries``).

    with count_queries() as queries:
        client.get("/services/")
    assert queries.count == 7, queries.report()

Only statements that read or write count: BEGIN, SAVEPOINT and the like differ between SQLite
and PostgreSQL and say nothing about a page's loops.
"""

import re
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db

_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


class Queries:
    def __init__(self):
        self.statements = []

    @property
    def count(self):
        return len(self.statements)

    def record(self, _connection, _cursor, statement, _parameters, _context, _executemany):
        if not _TRANSACTION_CONTROL.match(statement):
            self.statements.append(" ".join(statement.split()))

    def report(self):
        """Every statement, numbered, for an assertion's message."""
        return "\n".join(f"{n}. {s[:300]}" for n, s in enumerate(self.statements, 1))


@contextmanager
def count_queries():
    """Count the statements sent through ``db.engine`` (needs an app context) in the block."""
    queries = Queries()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", queries.record)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", queries.record)


def page_queries(app, client, url):
    """Fetch ``url`` as a browser would, in a request of its own (a fresh database session:
    the test's session would answer lazy loads from objects it already holds), and return
    (response, queries)."""
    with app.app_context(), count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, queries
