"""Django's Redis cache with one client object per connection pool.

Django 5.2's RedisCacheClient builds a new ``redis.Redis`` for every cache call, and
redis-py fills ~170 response callbacks into each new one: with four cache reads per page
(session, Review badge, author check, reading order) that was about a millisecond of a
lesson page's CPU. A ``redis.Redis`` is safe to share between threads (it takes a
connection from its pool for each command), so each pool gets one, made on first use.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._lock:
                client = self._clients.get(index)
                if client is None:
                    client = self._client(connection_pool=self._get_connection_pool(write))
                    self._clients[index] = client
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
