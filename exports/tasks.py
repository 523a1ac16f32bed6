import logging

from celery import shared_task
from django.conf import settings

from exports.models import ExportJob
from exports.services.jobs import reap_jobs, run_job
from exports.services.opendata import is_public, stored_package
from surveys.models import Edition

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_export(self, job_id: int) -> str:
    """Build an export job's file; a job already done, expired or running elsewhere is left.

    Acknowledged late, the task comes back when its worker dies: the job it finds "running"
    under its own task id (or silent too long) is then built again from the start.
    """
    job = ExportJob.objects.select_related("edition").filter(pk=job_id).first()
    if job is None:
        return "missing"
    redelivered = job.task_id and job.task_id == self.request.id
    if job.status == ExportJob.Status.RUNNING and (redelivered or job.is_stalled()):
        logger.warning("export %s repris depuis le début après l'arrêt de son worker", job_id)
    elif job.status != ExportJob.Status.PENDING:
        return job.status
    job.mark_running(task_id=self.request.id or "")
    try:
        run_job(job)
    except Exception as exc:
        logger.exception("export %s en échec", job_id)
        job.refresh_from_db()
        job.mark_failed(f"L'export a échoué : {exc.__class__.__name__} — {exc}")
        return ExportJob.Status.FAILED
    return ExportJob.Status.DONE


@shared_task
def reap_exports() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): stuck jobs → failed, old files → deleted."""
    failed, expired = reap_jobs()
    return {"failed": failed, "expired": expired}


@shared_task(autoretry_for=(ConnectionError,), max_retries=3, default_retry_delay=30)
def build_opendata(edition_id: int) -> str | None:
    """Build and store the open-data package of a published edition ahead of the first request
    (at publication and after each computation of its results); idempotent."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None or not is_public(edition):
        return None
    return stored_package(edition)
