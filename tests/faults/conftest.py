"""Real processes for the fault suite: a Redis server of our own, on a free port, to kill."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import reset_celery_pools


def pytest_collection_modifyitems(config, items):
    """`pg_terminate_backend` needs PostgreSQL: on SQLite those tests are deselected (CI and
    `DATABASE_URL=postgres://…` run them)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A `redis-server` process that a test starts, kills and starts again on the same port."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server est requis par la suite de pannes (paquet redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server n'a pas démarré"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def site_on_redis(redis_server, settings):
    """The site configured as in production: Redis as cache, broker and result backend."""
    from barometre.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": "barometre.cache.FailOpenRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    settings.CELERY_BROKER_URL = redis_server.url
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url)
    app.conf.update(task_always_eager=False)
    reset_celery_pools(app)
    yield redis_server
    app.conf.update(saved)
    reset_celery_pools(app)


@pytest.fixture
def staff_member(transactional_db):
    """A staff member; the group is made again since transactional tests flush the roles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from barometre.roles import STAFF

    user = get_user_model().objects.create_user("equipe", "equipe@decider-ensemble.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return user


class Worker:
    """A real `celery worker` with a prefork pool of one child, to kill child or whole."""

    def __init__(self, url: str, tmp_path):
        from django.db import connection

        from tests.conftest import ROOT, _database_url

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "barometre.settings",
            "DATABASE_URL": _database_url(connection.settings_dict),
            "CELERY_BROKER_URL": url,
            "CELERY_RESULT_BACKEND": url,
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DEBUG": "1",
        }
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        with open(self.log, "w") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "barometre", "worker"]
                + ["--pool=prefork", "--concurrency=1", "--loglevel=INFO"]
                + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("le worker Celery n'a pas démarré :\n" + self.log.read_text())
            time.sleep(0.2)

    def children(self) -> list[int]:
        path = f"/proc/{self.process.pid}/task/{self.process.pid}/children"
        with open(path) as stream:
            return [int(pid) for pid in stream.read().split()]

    def kill_child(self) -> None:
        for pid in self.children():
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        children = self.children() if self.process.poll() is None else []
        self.process.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(site_on_redis, transactional_db, tmp_path):
    workers: list[Worker] = []

    def start() -> Worker:
        workers.append(Worker(site_on_redis.url, tmp_path))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()
