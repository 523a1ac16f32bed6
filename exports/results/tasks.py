"""Background computation of results: debounced after submissions, and nightly."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from barometre.tasks import send_task
from exports.results.cache import pending_key, recompute
from exports.results.sheets import send_queued_sheets
from exports.services.opendata import is_public
from exports.tasks import build_opendata
from surveys.models import Edition

__all__ = [
    "recompute_all_results",
    "recompute_edition_results",
    "schedule_recompute",
    "send_results_sheets",
]

DEFAULT_RECOMPUTE_DELAY = 60


def recompute_delay() -> int:
    return getattr(settings, "RESULTS_RECOMPUTE_DELAY", DEFAULT_RECOMPUTE_DELAY)


def schedule_recompute(edition_id: int) -> bool:
    """Ask for the results of an edition to be recomputed soon; call it after a submission.

    Debounced: the first call in a window enqueues one computation `recompute_delay()` seconds
    after the commit; calls until it starts only join it. Returns whether a task was enqueued.
    """
    delay = recompute_delay()
    if not cache.add(pending_key(edition_id), "1", timeout=delay + 300):
        return False
    transaction.on_commit(
        lambda: send_task(recompute_edition_results, (edition_id,), countdown=delay)
    )
    return True


@shared_task(autoretry_for=(ConnectionError,), max_retries=3, default_retry_delay=30)
def recompute_edition_results(edition_id: int, rebuild: bool = False) -> int | None:
    """Recompute and cache an edition's results; returns the number of counted respondents.

    `rebuild` (the staff's button) recounts the answers from scratch first.
    """
    # Submissions arriving from now on must schedule a fresh computation.
    cache.delete(pending_key(edition_id))
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return None
    respondents = recompute(edition, rebuild=rebuild)["respondents"]
    refresh_opendata(edition)
    return respondents


def refresh_opendata(edition: Edition) -> None:
    """A new results generation: the public package of a published edition follows it."""
    if is_public(edition):
        send_task(build_opendata, (edition.pk,))


@shared_task
def recompute_all_results() -> int:
    """Nightly: recount and recompute every edition that has (or had) responses.

    Rebuilding the counts from the answers heals whatever went around the per-submission
    upkeep (a response deleted in the admin, a population that changed bracket). Returns how
    many editions.
    """
    editions = Edition.objects.exclude(status=Edition.Status.DRAFT)
    count = 0
    for edition in editions:
        recompute(edition, rebuild=True)
        refresh_opendata(edition)
        count += 1
    return count


@shared_task
def send_results_sheets(edition_id: int, publication: int) -> int:
    """After a publication: send each respondent's results sheet still queued; how many."""
    return send_queued_sheets(edition_id, publication)
