"""A Redis cache that fails open: with Redis down, the site answers without its cache.

Nothing stored in the cache is the only copy of anything: cached figures come back from the
database, rate-limit counters restart from zero, the results' debounce key only spares a
recomputation (the nightly recount repairs the counts). So every operation that fails on a
connection error logs one line and answers as if the key were absent.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("barometre.cache")


def _fail_open(name: str, default):
    def method(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning(
                "Cache indisponible (%s : %s) : %s ignoré", type(exc).__name__, exc, name
            )
            return default() if callable(default) else default

    method.__name__ = name
    return method


class FailOpenRedisCache(RedisCache):
    add = _fail_open("add", False)
    set = _fail_open("set", None)
    touch = _fail_open("touch", False)
    delete = _fail_open("delete", False)
    get_many = _fail_open("get_many", dict)
    set_many = _fail_open("set_many", list)
    delete_many = _fail_open("delete_many", None)
    has_key = _fail_open("has_key", False)
    clear = _fail_open("clear", False)
    # A counter that cannot be read counts nothing: the limits fail open.
    incr = _fail_open("incr", 0)
    decr = _fail_open("decr", 0)

    def get(self, key, default=None, version=None):
        try:
            return RedisCache.get(self, key, default, version)
        except (RedisError, OSError) as exc:
            logger.warning("Cache indisponible (%s : %s) : get ignoré", type(exc).__name__, exc)
            return default
