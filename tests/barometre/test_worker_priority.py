"""The worker's task processes yield the CPU to the web pages (barometre/celery.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NICENESS_AFTER_INIT = """
import os, django
django.setup()
from barometre.celery import lower_priority
before = os.nice(0)
lower_priority()
print(os.nice(0) - before)
"""


def niceness_added(value: str | None) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barometre.settings"}
    env.pop("WORKER_NICENESS", None)
    if value is not None:
        env["WORKER_NICENESS"] = value
    done = subprocess.run(
        [sys.executable, "-c", NICENESS_AFTER_INIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_a_task_process_lowers_its_priority_by_the_setting():
    assert niceness_added("10") == 10
    assert niceness_added("3") == 3


def test_without_the_setting_the_worker_keeps_its_priority():
    assert niceness_added(None) == 0
    assert niceness_added("0") == 0


def test_docker_compose_runs_the_worker_at_a_lower_priority():
    compose = (ROOT / "docker-compose.yml").read_text()
    worker = compose[compose.index("  worker:") : compose.index("  beat:")]
    assert 'WORKER_NICENESS: "10"' in worker
