"""The database is the one the environment names; SQLite runs in WAL mode and waits for
the write lock."""

import os
import sqlite3
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

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
