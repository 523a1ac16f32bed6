import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")

app = Celery("barometre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def lower_priority(**_kwargs) -> None:
    """Run the tasks (PDF receipts, exports, results) at a lower CPU priority than the web
    workers when they share a machine: an agent's page never queues behind a background job,
    which takes the cores the pages leave (`WORKER_NICENESS`, 10 in docker-compose.yml; 0 keeps
    the worker's own priority).

    With `WORKER_SCHED_IDLE` (Linux), the task processes move to the SCHED_IDLE scheduling
    class: a niceness only weighs the shares, so a web worker that wakes up may still wait for
    the task's time slice to end; against a SCHED_IDLE process it takes the core at once. The
    tasks then run in the time the pages leave (a PDF receipt is sent a little later at the
    peak of a wave, never lost: it stays queued)."""
    from django.conf import settings

    if settings.WORKER_NICENESS > 0:
        os.nice(settings.WORKER_NICENESS)
    if settings.WORKER_SCHED_IDLE and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def prepare_sender() -> None:
    """Build now what the first task sent by a web worker would otherwise build inside its
    request (an agent's submission): the app's tasks, its result backend and its message
    sender, ≈ 30 ms of CPU once per process (bench/README.md, « Pages de l'agent »).

    Nothing is connected: the broker may be down when the worker starts, and sending copes
    with that (`barometre.tasks.send_task`)."""
    app.finalize(auto=True)
    app.backend  # noqa: B018 — built on first use and kept: the point is to build it here
    app.amqp.send_task_message  # noqa: B018 — likewise
