from celery import shared_task

from respondents.services.privacy import purge_expired_contacts


@shared_task
def purge_expired_contact_data() -> int:
    """Erase contacts kept past CONTACT_RETENTION_DAYS after their last edition (beat, daily)."""
    return purge_expired_contacts()
