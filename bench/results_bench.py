"""Benchmark of the results: aggregates, a filtered view, the page served from the cache.

Run on PostgreSQL (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baro_results_bench \
    CACHE_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/results_bench.py

It migrates the database, imports editions/2021.yaml and seeds 36,000 submitted synthetic
respondents with `seed_demo` when they are not there yet, then times each figure several times
and prints the median (and the worst) against its target.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from barometre.roles import STAFF  # noqa: E402
from exports.results.aggregates import (  # noqa: E402
    ResultFilters,
    compute_breakdown,
    compute_results,
)
from exports.results.cache import pending_key, recompute  # noqa: E402
from exports.results.counts import rebuild, tracking  # noqa: E402
from surveys.models import Answer, Edition, Response  # noqa: E402

YEAR = 2021


def timed(function, repeat: int) -> tuple[float, float]:
    """(median, worst) wall time of `function` in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def prepare(respondents: int) -> Edition:
    call_command("migrate", verbosity=0)
    edition = Edition.objects.filter(year=YEAR).first()
    if edition is None:
        call_command("import_edition", str(ROOT / "editions" / f"{YEAR}.yaml"), verbosity=0)
        edition = Edition.objects.get(year=YEAR)
    counted = Response.objects.filter(edition=edition).exclude(status="draft").count()
    if counted != respondents:
        print(f"→ seed_demo --edition {YEAR} --respondents {respondents} (une fois)")
        started = time.perf_counter()
        call_command("seed_demo", edition=YEAR, respondents=respondents, seed=8, verbosity=0)
        print(f"  fait en {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return edition


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=36_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    edition = prepare(args.respondents)
    answers = Answer.objects.filter(question__edition=edition).count()
    print(
        f"Base {connection.vendor}, édition {YEAR} : {args.respondents} répondants, "
        f"{answers} réponses aux questions"
    )
    rows = []

    results = compute_results(edition)
    assert results["respondents"] == args.respondents, results["respondents"]
    rows.append(("Tous les agrégats", timed(lambda: compute_results(edition), args.repeat), 2.0))

    for label, filters in [
        ("Vue filtrée (une région : Auvergne-Rhône-Alpes)", ResultFilters(region="84")),
        ("Vue filtrée (moins de 5 000 habitants)", ResultFilters(tranche="lt5k")),
    ]:
        rows.append((label, timed(lambda f=filters: compute_results(edition, f), args.repeat), 1.0))

    question = edition.questions.get(code="dispositifs_existants")
    rows.append(
        (
            "Répartition par région (dispositifs_existants)",
            timed(lambda: compute_breakdown(edition, question, "region"), args.repeat),
            1.0,
        )
    )

    # Upkeep, not a target of the issue: a full recount from the answers (nightly, the staff's
    # button, after a bulk load) and what one submission adds to its transaction.
    rows.append(
        ("Recomptage complet des cellules (nuit, bouton)", timed(lambda: rebuild(edition), 1), None)
    )
    sent = Response.objects.filter(edition=edition, status="submitted").first()

    def upkeep():
        # What a reopening and then a submission add to their transactions: the response's
        # cells taken out, then put back.
        for status in ("draft", "submitted"):
            with transaction.atomic(), tracking(sent):
                Response.objects.filter(pk=sent.pk).update(status=status)

    # As during a busy wave: a recomputation is already pending, the submission only joins it
    # (with the in-process tasks of the defaults, it would otherwise run inside the timing).
    cache.set(pending_key(edition.pk), "1", 600)
    label = "Entretien des cellules : une réouverture + un envoi"
    rows.append((label, timed(upkeep, args.repeat * 4), None))

    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(username="bench-staff")
    user.groups.add(Group.objects.get(name=STAFF))
    client = Client()
    client.force_login(user)
    url = reverse("results:edition", args=[YEAR])
    cache.clear()
    recompute(edition)
    assert client.get(url).status_code == 200  # warms the template loaders too
    rows.append(
        (
            "Page des résultats servie du cache (client de test)",
            timed(lambda: client.get(url), args.repeat * 4),
            0.1,
        )
    )

    print(f"\n{'Mesure':58} {'médiane':>9} {'pire':>9} {'cible':>8}")
    failed = False
    for label, (median, worst), target in rows:
        if target is None:
            print(f"{label:58} {median * 1000:7.0f} ms {worst * 1000:7.0f} ms {'—':>9}")
            continue
        ok = median < target
        failed |= not ok
        print(
            f"{label:58} {median * 1000:7.0f} ms {worst * 1000:7.0f} ms "
            f"{target * 1000:6.0f} ms {'ok' if ok else 'TROP LENT'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
