"""The worker's task processes yield the CPU to the web pages (barometre/celery.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NICENESS_AFTER_INIT = """
import os, django
django.setup()
from barometre.celery import lower_priority
before = os.nice(0)
lower_priority()
print(os.nice(0) - before)
"""


POLICY_AFTER_INIT = """
import os, django
django.setup()
from barometre.celery import lower_priority
lower_priority()
print(os.sched_getscheduler(0) == os.SCHED_IDLE)
"""


def after_init(script: str, **settings: str) -> str:
    """What `script` prints in a fresh process with these worker settings (and no others)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barometre.settings"}
    for name in ("WORKER_NICENESS", "WORKER_SCHED_IDLE"):
        env.pop(name, None)
    env.update(settings)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1]


def niceness_added(value: str | None) -> int:
    return int(
        after_init(NICENESS_AFTER_INIT, **({} if value is None else {"WORKER_NICENESS": value}))
    )


def test_a_task_process_lowers_its_priority_by_the_setting():
    assert niceness_added("10") == 10
    assert niceness_added("3") == 3


def test_without_the_setting_the_worker_keeps_its_priority():
    assert niceness_added(None) == 0
    assert niceness_added("0") == 0


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_with_sched_idle_a_task_process_runs_only_on_the_cores_the_pages_leave():
    assert after_init(POLICY_AFTER_INIT, WORKER_SCHED_IDLE="1") == "True"
    assert after_init(POLICY_AFTER_INIT, WORKER_SCHED_IDLE="1", WORKER_NICENESS="10") == "True"


def test_without_sched_idle_a_task_process_keeps_the_normal_class():
    assert after_init(POLICY_AFTER_INIT) == "False"
    assert after_init(POLICY_AFTER_INIT, WORKER_SCHED_IDLE="0", WORKER_NICENESS="10") == "False"


def test_docker_compose_runs_the_worker_at_a_lower_priority():
    compose = (ROOT / "docker-compose.yml").read_text()
    worker = compose[compose.index("  worker:") : compose.index("  beat:")]
    assert 'WORKER_NICENESS: "10"' in worker
    assert 'WORKER_SCHED_IDLE: "1"' in worker
