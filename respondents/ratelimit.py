"""Counters in the Django cache that limit public forms and magic-link attempts."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = settings.RATELIMIT_CLIENT_IP_HEADER
    if header and request.META.get(header):
        # The proxy's own header: the last address is the one it saw.
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def count(scope: str, identity: str) -> int:
    return cache.get(_key(scope, identity), 0)


def is_limited(scope: str, identity: str, limit: int) -> bool:
    return count(scope, identity) >= limit


def hit(scope: str, identity: str) -> int:
    """Count one attempt in the current window and return the count so far."""
    key = _key(scope, identity)
    cache.add(key, 0, settings.RATELIMIT_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # Expired between add and incr.
        cache.set(key, 1, settings.RATELIMIT_WINDOW_SECONDS)
        return 1


def hit_and_check(scope: str, identity: str, limit: int) -> bool:
    """Count one attempt; True when it is within the limit."""
    return hit(scope, identity) <= limit
