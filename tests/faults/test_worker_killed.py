"""A Celery worker killed in the middle of an export: the job finishes, or fails clearly."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from barometre.tasks import enqueue_on_commit
from exports.models import ExportJob
from exports.services.jobs import reap_jobs
from exports.tasks import run_export
from respondents.models import Collectivite
from surveys.models import Answer, Question, Response
from tests.exports.export_data import build_edition

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
RESPONSES = 6000


def many_responses(count: int):
    edition = build_edition()
    collectivites = Collectivite.objects.bulk_create(
        Collectivite(kind="commune", code=f"T{n:05}", name=f"Commune {n}", population=1000 + n)
        for n in range(count)
    )
    responses = Response.objects.bulk_create(
        Response(edition=edition, collectivite=c, status=Response.Status.SUBMITTED)
        for c in collectivites
    )
    question = Question.objects.get(edition=edition, code="service_intitule")
    Answer.objects.bulk_create(
        Answer(response=r, question=question, value=f"Service {r.pk}") for r in responses
    )
    return edition


def launch(edition) -> ExportJob:
    with transaction.atomic():
        job = ExportJob.objects.create(edition=edition, format="xlsx", answers="codes")
        enqueue_on_commit(run_export, job.pk)
    return job


def wait_for(job, condition, seconds: float, step: float = 0.02) -> ExportJob:
    deadline = time.monotonic() + seconds
    while True:
        job.refresh_from_db()
        if condition(job):
            return job
        assert time.monotonic() < deadline, f"export {job.status} {job.rows_done}"
        time.sleep(step)


def test_a_killed_worker_process_is_replaced_and_the_export_finishes(start_worker):
    edition = many_responses(RESPONSES)
    worker = start_worker()
    job = launch(edition)
    wait_for(job, lambda j: j.status == ExportJob.Status.RUNNING, 30)
    worker.kill_child()
    # The pool replaces its child; the message, acknowledged late, comes back and the job is
    # built again from the start under the same task id.
    job = wait_for(job, lambda j: j.is_finished, 120, step=0.3)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.rows_done == RESPONSES or job.progress == 100
    assert "repris depuis le début" in worker.log.read_text()


def test_a_job_whose_whole_worker_died_is_failed_clearly_by_the_reaper(start_worker, settings):
    edition = many_responses(RESPONSES)
    worker = start_worker()
    job = launch(edition)
    wait_for(job, lambda j: j.status == ExportJob.Status.RUNNING, 30)
    worker.kill()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING
    # Nothing will redeliver it before the broker's visibility timeout: the reaper, on its next
    # round after EXPORT_STALL_SECONDS without progress, says so.
    assert reap_jobs() == (0, 0)
    later = timezone.now() + timedelta(seconds=settings.EXPORT_STALL_SECONDS + 60)
    assert reap_jobs(now=later) == (1, 0)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "aucun avancement depuis 5 min" in job.error
    assert job.can_restart
