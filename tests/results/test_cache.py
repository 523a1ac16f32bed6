"""Results are computed by a debounced Celery job and nightly, stored, cached, served instantly."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from barometre.celery import app
from exports.results.aggregates import ResultFilters
from exports.results.cache import get_results
from exports.results.models import ResultSnapshot
from exports.results.tasks import (
    recompute_all_results,
    recompute_edition_results,
    schedule_recompute,
)
from surveys.models import Response
from tests.conftest import reset_celery_pools
from tests.results.results_data import build_2021, collectivite, respond


@pytest.fixture(autouse=True)
def empty_cache():
    reset_celery_pools(app)
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_second_read_makes_no_query(django_assert_num_queries):
    edition = build_2021()
    first = get_results(edition)
    with django_assert_num_queries(0):
        assert get_results(edition) == first
    filtered = get_results(edition, ResultFilters(type="commune"))
    with django_assert_num_queries(0):
        assert get_results(edition, ResultFilters(type="commune")) == filtered


@pytest.mark.django_db
def test_a_cold_cache_reads_the_stored_snapshot_without_recomputing(django_assert_num_queries):
    edition = build_2021()
    data = get_results(edition)
    cache.clear()
    with django_assert_num_queries(2):  # the generation, then the snapshot
        assert get_results(edition) == data
    assert ResultSnapshot.objects.get(edition=edition).computations == 1


@pytest.mark.django_db
def test_a_recomputation_starts_a_new_generation_of_every_cached_figure():
    edition = build_2021()
    assert get_results(edition, ResultFilters(region="44"))["respondents"] == 3
    respond(edition, collectivite("C10", 900, "44"), {"service_dedie": "oui"})
    assert get_results(edition, ResultFilters(region="44"))["respondents"] == 3  # still cached
    recompute_edition_results(edition.pk)
    assert get_results(edition, ResultFilters(region="44"))["respondents"] == 4
    assert get_results(edition)["respondents"] == 9


@pytest.mark.django_db
def test_many_submissions_in_a_minute_enqueue_one_computation(
    django_capture_on_commit_callbacks,
):
    edition = build_2021()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert schedule_recompute(edition.pk) is True
        for _ in range(9):
            assert schedule_recompute(edition.pk) is False
    assert len(callbacks) == 1
    snapshot = ResultSnapshot.objects.get(edition=edition)
    assert snapshot.computations == 1
    assert snapshot.data["respondents"] == 8
    # The task released the window: the next submission schedules a fresh computation.
    assert schedule_recompute(edition.pk) is True


@pytest.mark.django_db
def test_the_nightly_job_recomputes_every_edition_with_responses():
    edition = build_2021()
    assert recompute_all_results() == 1
    assert ResultSnapshot.objects.get(edition=edition).data["respondents"] == 8
    nightly = settings.CELERY_BEAT_SCHEDULE["recompute-results-nightly"]
    assert nightly["task"] == "exports.results.tasks.recompute_all_results"


@pytest.mark.worker
def test_a_real_worker_runs_one_debounced_computation(celery_worker, settings):
    settings.RESULTS_RECOMPUTE_DELAY = 1
    edition = build_2021()
    scheduled = [schedule_recompute(edition.pk) for _ in range(5)]
    assert scheduled == [True, False, False, False, False]
    deadline = time.monotonic() + 30
    while not ResultSnapshot.objects.filter(edition=edition).exists():
        assert time.monotonic() < deadline, "le calcul des résultats n'a pas eu lieu"
        time.sleep(0.2)
    time.sleep(2)
    snapshot = ResultSnapshot.objects.get(edition=edition)
    assert snapshot.computations == 1
    assert snapshot.data["respondents"] == Response.objects.exclude(status="draft").count()
