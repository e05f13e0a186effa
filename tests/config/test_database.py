"""The database is the one the environment names; SQLite runs in WAL mode and waits for
the write lock."""

import os
import sqlite3
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_the_database_in_use_is_the_one_the_environment_names():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_sqlite_runs_in_wal_mode_so_a_worker_and_the_web_server_can_write():
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db(transaction=True)
def test_sqlite_waits_for_the_write_lock_instead_of_failing_at_once():
    """Another process holds the write lock for a second: a write here waits for it (the
    busy timeout) and then succeeds, instead of "database is locked"."""
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    connection.ensure_connection()
    other = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE IF NOT EXISTS lock_holder (x)")
    release = threading.Timer(1.0, other.execute, args=["COMMIT"])
    started = time.monotonic()
    release.start()
    try:
        get_user_model().objects.create_user("waiting-writer")
    finally:
        release.join()
        other.close()
    assert time.monotonic() - started >= 0.9
    assert get_user_model().objects.filter(username="waiting-writer").exists()


@pytest.mark.django_db(transaction=True)
def test_a_web_thread_keeps_its_connection_between_requests_on_either_engine():
    """Persistent connections (DATABASE_CONN_MAX_AGE, 60 s by default), health-checked
    when reused: the end of a request (close_old_connections, as the request_finished
    signal runs it) leaves the connection open instead of reopening one per request."""
    assert connection.settings_dict["CONN_MAX_AGE"] == 60
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    connection.ensure_connection()
    opened = connection.connection
    close_old_connections()  # a request ends
    close_old_connections()  # the next one starts: health-checked, kept
    get_user_model().objects.exists()
    assert connection.connection is opened
