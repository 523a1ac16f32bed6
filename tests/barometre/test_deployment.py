"""No Docker engine runs here: check docker-compose.yml and .env.example against the settings,
and check the production settings themselves in a separate process."""

import os
import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings

from tests.conftest import ROOT

APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_example():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_compose_runs_web_worker_beat_postgresql_and_redis(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn barometre.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A barometre worker")
    assert services["beat"]["command"].startswith("celery -A barometre beat")
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])


def test_every_app_service_gets_every_required_variable(compose, env_example):
    for name in APP_SERVICES:
        service = compose["services"][name]
        provided = set(env_example) if service.get("env_file") == ".env" else set()
        provided |= set(service.get("environment") or {})
        missing = set(settings.REQUIRED_IN_PRODUCTION) - provided
        assert not missing, f"{name} ne reçoit pas {sorted(missing)}"


def test_env_example_names_only_variables_the_settings_read(env_example):
    source = (ROOT / "barometre" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source))
    postgres_image_vars = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    assert set(env_example) - postgres_image_vars <= read


def test_services_point_at_the_compose_hosts(env_example, compose):
    database = urlparse(env_example["DATABASE_URL"])
    assert database.hostname in compose["services"]
    assert database.path.lstrip("/") == env_example["POSTGRES_DB"]
    assert database.username == env_example["POSTGRES_USER"]
    assert database.password == env_example["POSTGRES_PASSWORD"]
    for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"):
        assert urlparse(env_example[key]).hostname == "redis"


def test_web_and_worker_share_the_media_volume(compose):
    # Exports are written by the worker and downloaded through the web.
    for name in ("web", "worker"):
        assert "media:/app/var/media" in compose["services"][name]["volumes"]


def _manage(*args, **env):
    return _python("manage.py", *args, **env)


def _python(*args, without: tuple[str, ...] = (), timeout: int = 120, **env):
    """`python *args` in the project with the production settings module: this environment
    less SECRET_KEY, DEBUG and the variables starting with one of `without`, plus `env`."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG") and not k.startswith(without)
    }
    full_env.update(env)
    full_env["DJANGO_SETTINGS_MODULE"] = "barometre.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_app_refuses_to_start_without_a_real_secret_key():
    for key in ("", "django-insecure-" + "x" * 50, "short"):
        done = _manage("check", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="example.org")
        assert done.returncode != 0
        assert "SECRET_KEY manquante ou trop faible" in done.stderr


def test_check_deploy_is_clean_with_production_variables(env_example):
    env = {k: v for k, v in env_example.items() if not k.startswith("EMAIL")}
    env["SECRET_KEY"] = "a-real-key-" + "k" * 50 + "-0123456789"
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", env["DATABASE_URL"])
    done = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


WEB_WORKER = """
from barometre.celery import app
before = app.finalized
import barometre.wsgi
print(before, app.finalized, type(app.backend).__name__)
"""


def test_a_web_worker_builds_its_task_sender_before_its_first_request_without_the_broker():
    """`barometre.wsgi`, imported by each gunicorn worker, finalizes the Celery app, so that an
    agent's submission does not pay for it; with nothing listening at the broker's address, it
    still starts (nothing is connected)."""
    dead = "redis://127.0.0.1:1/0"
    done = _python(
        "-c",
        WEB_WORKER,
        without=("CELERY", "CACHE"),
        timeout=60,
        DEBUG="0",
        SECRET_KEY="a-real-key-" + "k" * 50,
        ALLOWED_HOSTS="example.org",
        CELERY_BROKER_URL=dead,
        CACHE_URL=dead,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "RedisBackend"]
