import logging

from celery import shared_task
from django.conf import settings

from exports.models import ExportJob
from exports.services.jobs import reap_jobs, run_job

logger = logging.getLogger(__name__)


@shared_task(bind=True, soft_time_limit=settings.EXPORT_TIME_LIMIT)
def run_export(self, job_id: int) -> str:
    """Build an export job's file; a job already done, expired or running elsewhere is left."""
    job = ExportJob.objects.select_related("edition").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.PENDING:
        return job.status if job else "missing"
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
