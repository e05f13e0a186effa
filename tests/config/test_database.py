"""The database is the one the environment names; SQLite runs in WAL mode."""

import os

import pytest
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
