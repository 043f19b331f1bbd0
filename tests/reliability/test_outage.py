"""Database outage: the connection is lost in the middle of a real request (after the session
and the user were read). The member gets the 503 page with Retry-After, the outage is logged
at ERROR, and a real database error (a bug) stays a 500. Bounded: each request must answer
within a few seconds."""

import logging
import time
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client

BOUND_SECONDS = 5


@contextmanager
def database_fails_after(queries: int, error: Exception):
    """Let the first `queries` queries through, then raise `error` on every later one."""
    seen = 0

    def wrapper(execute, sql, params, many, context):
        nonlocal seen
        seen += 1
        if seen > queries:
            raise error
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@pytest.fixture
def member_client(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client


def timed_get(client, path):
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < BOUND_SECONDS
    return response


LOST = [
    OperationalError("server closed the connection unexpectedly"),
    OperationalError("terminating connection due to administrator command"),
    InterfaceError("connection already closed"),
]


@pytest.mark.parametrize("error", LOST, ids=lambda e: str(e)[:30])
@pytest.mark.parametrize("path", ["/roadmap/", "/resources/", "/me/settings/"])
def test_connection_lost_mid_request_is_a_503_with_retry_after(member_client, caplog, path, error):
    if connection.vendor == "sqlite" and isinstance(error, OperationalError):
        error = OperationalError("database is locked")  # SQLite's form of "unavailable"
    with database_fails_after(2, error):  # the session and the user load, then the database goes
        response = timed_get(member_client, path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content
    assert "Content-Security-Policy" in response
    outage = [r for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert outage and outage[0].levelno == logging.ERROR and outage[0].exc_info


def test_the_site_answers_again_when_the_database_is_back(member_client):
    with database_fails_after(2, InterfaceError("connection already closed")):
        assert timed_get(member_client, "/roadmap/").status_code == 503
    assert timed_get(member_client, "/roadmap/").status_code == 200


def real_errors() -> list[Exception]:
    """Database errors that are bugs, not outages, in this database's own words."""
    errors = [ProgrammingError('relation "pathways_progress" does not exist')]
    if connection.vendor == "sqlite":  # SQLite reports a missing table as OperationalError
        errors.append(OperationalError("no such table: pathways_progress"))
    return errors


def test_a_real_database_error_stays_a_500(member_client, caplog):
    for error in real_errors():
        caplog.clear()
        with database_fails_after(2, error):
            response = timed_get(member_client, "/roadmap/")
        assert response.status_code == 500, error
        assert "Retry-After" not in response
        assert not [r for r in caplog.records if "Database unavailable" in r.getMessage()]
        assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
