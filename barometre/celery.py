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
    the worker's own priority)."""
    from django.conf import settings

    if settings.WORKER_NICENESS > 0:
        os.nice(settings.WORKER_NICENESS)
