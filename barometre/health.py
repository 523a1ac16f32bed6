"""Checks behind /healthz: each returns None when the part answers, or the error in French."""

from django.conf import settings
from django.db import connection

from barometre.celery import app


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"base de données injoignable : {exc.__class__.__name__}"
    return None


def check_broker() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"broker Celery injoignable : {exc.__class__.__name__}"
    return None


def check_cache() -> str | None:
    """The fail-open cache hides its errors from the pages; here we ask Redis directly."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    try:
        cache._cache.get_client(write=True).ping()
    except Exception as exc:  # noqa: BLE001
        return f"cache Redis injoignable : {exc.__class__.__name__}"
    return None


def run_checks() -> dict[str, str]:
    results = {"database": check_database()}
    if settings.CELERY_BROKER_URL:
        results["broker"] = check_broker()
    if str(settings.CACHES["default"]["BACKEND"]).endswith("RedisCache"):
        results["cache"] = check_cache()
    return {name: error or "ok" for name, error in results.items()}
