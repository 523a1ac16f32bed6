"""Background computation of results: debounced after submissions, and nightly."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from barometre.tasks import send_task
from exports.results.cache import pending_key, recompute
from exports.results.sheets import send_queued_sheets
from exports.results.trends import TrendsKey, cached_trends, get_trends
from exports.services.opendata import is_public
from exports.tasks import build_opendata
from surveys.models import Edition

__all__ = [
    "compute_panel_trends",
    "recompute_all_results",
    "recompute_edition_results",
    "schedule_recompute",
    "send_results_sheets",
]

DEFAULT_RECOMPUTE_DELAY = 60
# How long a request for the panel's trends waits for its worker before asking again.
PANEL_PENDING_TIMEOUT = 600


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


@shared_task
def compute_panel_trends(edition_id: int) -> int | None:
    """The trends of an edition with its constant panels, computed and cached; how many
    questions. The panels are read from the answers (seconds on a large edition): a worker
    does it, not the request."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return None
    key = TrendsKey(edition, panel=True)
    try:
        return len(get_trends(edition, True, key)["questions"])
    finally:
        cache.delete(key.page("pending"))


def request_panel_trends(key: TrendsKey) -> dict | None:
    """The trends with the panel under `key` when computed; otherwise a worker is asked, once
    per key, and None is returned until it is done (at once when tasks run eagerly). With the
    broker down, they are computed here."""
    data = cached_trends(key)
    if data is None and cache.add(key.page("pending"), "1", timeout=PANEL_PENDING_TIMEOUT):
        if not send_task(compute_panel_trends, (key.edition.pk,)):
            cache.delete(key.page("pending"))
            return get_trends(key.edition, True, key)
        data = cached_trends(key)
    return data
