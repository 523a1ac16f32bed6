"""The cast shared by every test: a staff member, an analyst, two collectivités.

Also the `celery_worker` fixture, which starts a real Celery worker process on Redis against
the test database.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import ANALYSTS, STAFF
from respondents.models import Collectivite

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, debounce keys, cached results) and no
    compiled edition of an earlier test (whose ids the database may give again)."""
    from django.core.cache import cache

    from surveys.compiled import forget

    cache.clear()
    forget()
    yield


@pytest.fixture
def alice(db):
    """Alice is on the Décider ensemble staff."""
    user = get_user_model().objects.create_user("alice", "alice@decider-ensemble.test", "pw")
    # get_or_create: a transactional test (real worker) flushes the roles its migration made.
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return user


@pytest.fixture
def bob(db):
    """Bob is an analyst: results and exports, read-only."""
    user = get_user_model().objects.create_user("bob", "bob@decider-ensemble.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    return user


@pytest.fixture
def charlie(db):
    """Charlie has an account but no role."""
    return get_user_model().objects.create_user("charlie", "charlie@example.test", "pw")


@pytest.fixture
def rennes(db):
    return Collectivite.objects.create(
        kind=Collectivite.Kind.COMMUNE,
        code="35238",
        siren="213502388",
        name="Rennes",
        population=225081,
        departement_code="35",
        region_code="53",
        postcodes=["35000", "35200", "35700"],
    )


@pytest.fixture
def metz_metropole(db):
    return Collectivite.objects.create(
        kind=Collectivite.Kind.EPCI,
        code="200039865",
        siren="200039865",
        name="Metz Métropole",
        epci_type=Collectivite.EpciType.METRO,
        population=221000,
        departement_code="57",
        region_code="44",
    )


def _redis_url() -> str:
    return os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")


def _database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def reset_celery_pools(app) -> None:
    """Forget broker pools and the result backend, so the next use follows the new conf."""
    from kombu import pools

    app.pool.force_close_all()
    pools.reset()
    app._after_fork()
    app._backend_cache = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the `celery_worker` process (a module overrides it, e.g. SMTP)."""
    return {}


@pytest.fixture
def celery_worker(transactional_db, tmp_path, worker_env):
    """A real `celery worker` process on Redis, sharing the test database.

    Tests using it must be transactional: the worker only sees committed rows.
    """
    import redis
    from django.db import connection

    from barometre.celery import app

    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis injoignable sur {url} ({exc}); ces tests exigent un vrai broker")
    redis.Redis.from_url(url).flushdb()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "barometre.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
        **worker_env,
    }
    log = tmp_path / "worker.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "barometre",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_celery_pools(app)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("le worker Celery n'a pas démarré :\n" + log.read_text())
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.update(saved)
        reset_celery_pools(app)
