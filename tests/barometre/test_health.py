import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import ROOT, reset_celery_pools


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_does_not_answer(client, settings):
    # Port 9 (discard) has no Redis listening on this machine.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    from barometre.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = ""
        reset_celery_pools(app)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "erreur"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("broker Celery injoignable")


def test_healthz_names_the_database_when_it_does_not_answer():
    # A separate process whose DATABASE_URL points at a port where no PostgreSQL listens.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "barometre.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/absent",
        "DEBUG": "1",
    }
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"]["database"] == (
        "base de données injoignable : OperationalError"
    )
