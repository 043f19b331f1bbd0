"""Real concurrency against the test database, on PostgreSQL and on SQLite.

Threads that each hold their own database connection (test clients, task workers, the
live server's request threads) race for real. PostgreSQL needs nothing: every thread
connects to the test database. SQLite's in-memory test database cannot take two writers
(its shared-cache table locks fail at once with "database table is locked"), so
`shared_database` copies it to a file opened with the production options (WAL, IMMEDIATE
transactions, a 20 s busy timeout: imgportal/settings.py), the threads run on that file,
and the file is copied back over the in-memory database afterwards, for the assertions.
The main thread must not touch the database inside the block.
"""

import contextlib
import socketserver
import sqlite3
from collections.abc import Callable, Iterator

from django.db import connection, connections


@contextlib.contextmanager
def shared_database(tmp_path) -> Iterator[Callable[[], None]]:
    """Yields a function each thread calls first to get its own connection."""
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    connection.ensure_connection()
    path = tmp_path / "race.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        # WAL now, as a production database file already is: the copy of an in-memory
        # database has a rollback journal, and two threads' first connections switching
        # it to WAL at once (the init_command) can fail with "database is locked".
        assert copy.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    settings = {**connection.settings_dict, "NAME": str(path)}
    # Without these options the writers would fail instead of waiting their turn.
    assert settings["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
    wrapper_class = type(connections["default"])

    def use_file() -> None:
        connections["default"] = wrapper_class(settings, "default")

    yield use_file
    with contextlib.closing(sqlite3.connect(path)) as copy:
        copy.backup(connection.connection)


@contextlib.contextmanager
def each_request_on_its_own_connection(live_server, use_connection) -> Iterator[None]:
    """The live server's request threads call `use_connection` first, instead of sharing
    the main thread's connection (what pytest-django does for in-memory SQLite); each
    request's connection is closed when it ends (Django's `close_request`)."""
    server = live_server.thread.httpd

    def process_request_thread(request, client_address):
        use_connection()
        socketserver.ThreadingMixIn.process_request_thread(server, request, client_address)

    server.process_request_thread = process_request_thread
    try:
        yield
    finally:
        del server.process_request_thread
