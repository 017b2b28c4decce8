"""A local-memory cache that can be made unreachable, as Redis is while it restarts or behind a partition: every
operation raises redis-py's ConnectionError, and the data is still there when it answers again (the hardest
case for correctness: what it held before the outage must not be served as current after it)."""

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError


class Switch:
    down = False


def _guarded(name):
    method = getattr(LocMemCache, name)

    def call(self, *args, **kwargs):
        if Switch.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return method(self, *args, **kwargs)

    call.__name__ = name
    return call


class FlakyCache(LocMemCache):
    pass


for _name in ("add", "get", "set", "touch", "delete", "has_key", "incr", "clear", "get_many", "set_many"):
    setattr(FlakyCache, _name, _guarded(_name))
