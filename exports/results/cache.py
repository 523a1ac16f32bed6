"""Serving results instantly: versioned cache keys in front of the stored snapshot.

The full aggregates of an edition are stored in `ResultSnapshot` and cached; each computation
starts a new generation, so every cached figure of the previous one (filtered views,
breakdowns, trends) is simply never read again.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from exports.results.aggregates import (
    RESULTS_FORMAT,
    ResultFilters,
    compute_breakdown,
    compute_results,
)
from exports.results.counts import rebuild as rebuild_counts
from exports.results.models import ResultSnapshot
from exports.results.publication import note_errata
from surveys.models import Edition, Question

CACHE_TIMEOUT = 7 * 24 * 3600
NO_SNAPSHOT = "none"


def _generation_key(edition_id: int) -> str:
    return f"results:v{RESULTS_FORMAT}:generation:{edition_id}"


def _key(edition_id: int, generation: str, *parts: str) -> str:
    return ":".join(["results", f"v{RESULTS_FORMAT}", str(edition_id), generation, *parts])


def pending_key(edition_id: int) -> str:
    return f"results:v{RESULTS_FORMAT}:pending:{edition_id}"


def current_generation(edition_id: int) -> str:
    generation = cache.get(_generation_key(edition_id))
    if generation is None:
        computed_at = (
            ResultSnapshot.objects.filter(edition_id=edition_id)
            .values_list("computed_at", flat=True)
            .first()
        )
        generation = str(computed_at.timestamp()) if computed_at else NO_SNAPSHOT
        cache.set(_generation_key(edition_id), generation, None)
    return generation


def current_generations(edition_ids: list[int]) -> dict[int, str]:
    """`current_generation` of several editions, in one round trip to the cache when it can."""
    found = cache.get_many([_generation_key(pk) for pk in edition_ids])
    return {pk: found.get(_generation_key(pk)) or current_generation(pk) for pk in edition_ids}


def recompute(edition: Edition, *, rebuild: bool = False, errata: bool = True) -> dict:
    """Compute every figure of `edition`, store it and make it the current generation.

    `rebuild` first recomputes the edition's pre-aggregated counts from the answers (nightly,
    and the staff's button); otherwise they are the ones every submission keeps up to date.
    For a published edition, each public figure that changed is noted as an erratum (not when
    the figures are computed to be published: `errata=False`).
    """
    started = time.perf_counter()
    if rebuild:
        rebuild_counts(edition)
    data = compute_results(edition)
    duration = int((time.perf_counter() - started) * 1000)
    now = timezone.now()
    with transaction.atomic():
        snapshot, created = ResultSnapshot.objects.get_or_create(
            edition=edition,
            defaults={"data": data, "computed_at": now, "duration_ms": duration, "computations": 1},
        )
        previous = None if created else snapshot.computed_at
        if not created:
            ResultSnapshot.objects.filter(pk=snapshot.pk).update(
                data=data, computed_at=now, duration_ms=duration, computations=F("computations") + 1
            )
        if errata:
            note_errata(edition, data, since=previous)
    generation = str(now.timestamp())
    cache.set(_key(edition.pk, generation, "all"), data, CACHE_TIMEOUT)
    cache.set(_generation_key(edition.pk), generation, None)
    return data


def get_results(edition: Edition, filters: ResultFilters | None = None) -> dict:
    """The figures of `edition`, from the cache when possible (no query at all then)."""
    filters = filters or ResultFilters()
    generation = current_generation(edition.pk)
    key = _key(edition.pk, generation, "all" if filters.is_empty else "filtered:" + filters.key)
    data = cache.get(key)
    if data is not None:
        return data
    if not filters.is_empty:
        data = compute_results(edition, filters)
    else:
        snapshot = ResultSnapshot.objects.filter(edition=edition).first()
        if snapshot is None or snapshot.data.get("format") != RESULTS_FORMAT:
            return recompute(edition)
        data = snapshot.data
    cache.set(key, data, CACHE_TIMEOUT)
    return data


def benchmark_page_key(edition_id: int, collectivite_id: int, answers_stamp: str) -> str:
    """The key of a collectivité's rendered benchmark: it changes with a new results generation
    (its peers' figures) and with `answers_stamp` (its own answers)."""
    generation = current_generation(edition_id)
    return _key(edition_id, generation, "benchmark", str(collectivite_id), answers_stamp)


def public_page_key(edition: Edition, published_version: int | None) -> str:
    """The key of the public results page's rendered body. It changes with a new results
    generation (every computation, which also notes the errata), a new publication (the frozen
    figures' version) and any change saved to the edition itself (title, open data)."""
    generation = current_generation(edition.pk)
    version = "live" if published_version is None else str(published_version)
    return _key(edition.pk, generation, "public", version, str(edition.updated_at.timestamp()))


def get_breakdown(
    edition: Edition, question: Question, dimension: str, filters: ResultFilters | None = None
) -> dict:
    filters = filters or ResultFilters()
    generation = current_generation(edition.pk)
    key = _key(edition.pk, generation, "breakdown", question.code, dimension, filters.key)
    data = cache.get(key)
    if data is None:
        data = compute_breakdown(edition, question, dimension, filters)
        cache.set(key, data, CACHE_TIMEOUT)
    return data
