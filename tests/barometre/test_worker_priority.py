"""The worker's task processes yield the CPU to the web pages (barometre/celery.py).

Like the project's test command (Debian packages, Chromium), these tests run on Linux, where
the SCHED_IDLE scheduling class exists."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AFTER_INIT = """
import os, django
django.setup()
from barometre.celery import lower_priority
before = os.nice(0)
lower_priority()
print(os.nice(0) - before, os.sched_getscheduler(0) == os.SCHED_IDLE)
"""


def after_init(**settings: str) -> tuple[int, bool]:
    """The niceness a task process adds, and whether it runs in the SCHED_IDLE class, in a
    fresh process with these worker settings (and no others)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barometre.settings"}
    for name in ("WORKER_NICENESS", "WORKER_SCHED_IDLE"):
        env.pop(name, None)
    env.update(settings)
    done = subprocess.run(
        [sys.executable, "-c", AFTER_INIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    added, idle = done.stdout.strip().splitlines()[-1].split()
    return int(added), idle == "True"


def test_a_task_process_lowers_its_priority_by_the_setting():
    assert after_init(WORKER_NICENESS="10")[0] == 10
    assert after_init(WORKER_NICENESS="3")[0] == 3


def test_without_the_setting_the_worker_keeps_its_priority():
    assert after_init()[0] == 0
    assert after_init(WORKER_NICENESS="0")[0] == 0


def test_with_sched_idle_a_task_process_runs_only_on_the_cores_the_pages_leave():
    assert after_init(WORKER_SCHED_IDLE="1")[1] is True
    assert after_init(WORKER_SCHED_IDLE="1", WORKER_NICENESS="10")[1] is True


def test_without_sched_idle_a_task_process_keeps_the_normal_class():
    assert after_init()[1] is False
    assert after_init(WORKER_SCHED_IDLE="0", WORKER_NICENESS="10")[1] is False


def test_docker_compose_runs_the_worker_at_a_lower_priority():
    compose = (ROOT / "docker-compose.yml").read_text()
    worker = compose[compose.index("  worker:") : compose.index("  beat:")]
    assert 'WORKER_NICENESS: "10"' in worker
    assert 'WORKER_SCHED_IDLE: "1"' in worker
