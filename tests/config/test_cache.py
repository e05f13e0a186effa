"""The cache: per process by default; with DJANGO_CACHE_URL Redis, through one client per
connection pool (config.cache). `make test-services` runs these against the real Redis."""

import os
import subprocess
import sys
from pathlib import Path

import redis
from django.core.cache import cache

from config.cache import SharedClientRedisCacheClient

ROOT = Path(__file__).resolve().parents[2]


def test_the_redis_client_is_made_once_per_pool_and_then_reused():
    client = SharedClientRedisCacheClient(["redis://127.0.0.1:6379/15"])  # connects lazily
    first = client.get_client("a")
    assert isinstance(first, redis.Redis)
    assert client.get_client("b") is first
    assert client.get_client("c", write=True) is first  # one server: one pool for both


def test_the_configured_cache_keeps_returns_and_forgets_a_value():
    cache.set("test-cache-key", {"n": 1}, 30)
    assert cache.get("test-cache-key") == {"n": 1}
    cache.delete_many(["test-cache-key"])
    assert cache.get("test-cache-key") is None


def _settings_with(**env: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHE_SHARED, s.SESSION_ENGINE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_cache_url_gives_the_shared_redis_cache_and_sessions_read_from_it():
    assert _settings_with(DJANGO_CACHE_URL="redis://127.0.0.1:6379/3") == [
        "config.cache.SharedClientRedisCache",
        "True",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_without_a_cache_url_each_process_caches_alone_and_sessions_stay_in_the_database():
    assert _settings_with() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "False",
        "django.contrib.sessions.backends.db",
    ]
