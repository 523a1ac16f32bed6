"""Benchmark of the API: list every response of the 2021 edition page by page.

Run on PostgreSQL with the Redis cache, as production does (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baro_api_bench \
    CACHE_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/api_bench.py --prepare
    DATABASE_URL=… CACHE_URL=… /usr/bin/time -v .venv/bin/python bench/api_bench.py

`--prepare` migrates, imports editions/2021.yaml and seeds the synthetic respondents with
`seed_demo` when they are not there yet; without it, the script only reads (so that the peak
memory that /usr/bin/time reports is the listing's). Requests go through Django's test client,
in process, with a staff token, following the `next` links.
"""

import argparse
import os
import resource
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from api.models import ApiToken  # noqa: E402
from barometre.roles import STAFF  # noqa: E402
from surveys.models import Answer, Edition, Response  # noqa: E402

YEAR = 2021


def prepare(respondents: int) -> None:
    call_command("migrate", verbosity=0)
    if not Edition.objects.filter(year=YEAR).exists():
        call_command("import_edition", str(ROOT / "editions" / f"{YEAR}.yaml"), verbosity=0)
    edition = Edition.objects.get(year=YEAR)
    counted = Response.objects.filter(edition=edition).exclude(status="draft").count()
    if counted != respondents:
        print(f"→ seed_demo --edition {YEAR} --respondents {respondents}")
        started = time.perf_counter()
        call_command("seed_demo", edition=YEAR, respondents=respondents, seed=8, verbosity=0)
        print(f"  fait en {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def staff_key() -> str:
    user, _ = get_user_model().objects.get_or_create(username="bench-api")
    user.groups.add(Group.objects.get(name=STAFF))
    ApiToken.objects.filter(user=user).delete()
    return ApiToken.issue(user, "banc d'essai")[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=36_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--prepare", action="store_true", help="migrer et semer, puis sortir")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.respondents)
        return 0

    setup_test_environment()
    edition = Edition.objects.get(year=YEAR)
    total = Response.objects.filter(edition=edition).exclude(status="draft").count()
    answers = Answer.objects.filter(response__edition=edition).count()
    print(
        f"Base {connection.vendor}, édition {YEAR} : {total} réponses, {answers} réponses aux "
        "questions"
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_key()}")
    url = f"/api/v1/editions/{YEAR}/responses/?page_size={args.page_size}"
    seen = pages = 0
    slowest = 0.0
    started = time.perf_counter()
    while url:
        page_started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        payload = response.json()
        slowest = max(slowest, time.perf_counter() - page_started)
        seen += len(payload["results"])
        pages += 1
        url = payload["next"]
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{seen} réponses en {pages} pages de {args.page_size} : {elapsed:.1f} s "
        f"({seen / elapsed:.0f} réponses/s, page la plus lente {slowest:.2f} s), "
        f"pic mémoire {peak_mib:.0f} Mio"
    )
    return 0 if seen == total else 1


if __name__ == "__main__":
    sys.exit(main())
