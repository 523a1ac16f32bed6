from celery import shared_task

from surveys.backoffice.lifecycle import apply_schedule


@shared_task
def apply_edition_schedule() -> dict:
    """Open and close waves at their set date-times (beat, every minute); idempotent."""
    run = apply_schedule()
    return {"opened": run.opened, "closed": run.closed}
