"""Real processes for the fault suite: a Redis server of our own, on a free port, to kill."""

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import reset_celery_pools


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
