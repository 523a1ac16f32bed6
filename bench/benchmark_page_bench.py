"""Benchmark of « Mes résultats » (the respondent's comparison with comparable collectivités).

Production-like settings (DEBUG=0, cache on Redis), in one process, through Django's test client
with a real magic-link session (see bench/README.md):

    CACHE_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/benchmark_page_bench.py

The database defaults to a SQLite file under var/bench/ (DATABASE_URL for another). The script
migrates it, imports editions/2021.yaml and seeds `--respondents` submitted synthetic
respondents the first time, opens a session for one of them, then times the page: the first
visit after the cache was emptied (peer figures computed), and warm visits (CPU time of the
process and wall time, medians), and counts the templates each visit renders.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
(ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
PRODUCTION_LIKE = {
    "DJANGO_SETTINGS_MODULE": "barometre.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",
    "SITE_URL": "http://testserver",
    "DEFAULT_FROM_EMAIL": "Baromètre <bench@localhost>",
    "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bench' / 'benchmark_page.sqlite3'}",
    "CACHE_URL": "redis://127.0.0.1:6379/5",
    # Nothing is sent: tasks would only wait in this database.
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5",
    "SECURE_SSL_REDIRECT": "0",
}
for name, value in PRODUCTION_LIKE.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.signals import template_rendered  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from respondents.models import Contact, Invitation  # noqa: E402
from surveys.models import Edition, Response  # noqa: E402

YEAR = 2021
URL = f"/resultats/{YEAR}/ma-collectivite/"


def prepare(respondents: int) -> Edition:
    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # minutes: only once
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
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.OPEN)
    edition.refresh_from_db()
    return edition


def signed_in_client(edition: Edition) -> tuple[Client, str]:
    """A client holding the magic-link session of a commune that answered."""
    response = (
        Response.objects.filter(edition=edition, status="submitted", collectivite__kind="commune")
        .select_related("collectivite")
        .order_by("pk")
        .first()
    )
    coll = response.collectivite
    contact, _ = Contact.objects.get_or_create(collectivite=coll, email="bench@mairie.test")
    invitation = Invitation.objects.filter(edition=edition, contact=contact).first()
    if invitation is None:
        invitation = Invitation.objects.create(edition=edition, collectivite=coll, contact=contact)
    client = Client()
    answer = client.post(f"/acces/{invitation.issue_token()}/", secure=True)
    assert answer.status_code == 302, answer.status_code
    return client, coll.name


def visit(client: Client) -> tuple[float, float]:
    """(CPU seconds of the process, wall seconds) of one visit."""
    cpu, wall = time.process_time(), time.perf_counter()
    answer = client.get(URL, secure=True)
    assert answer.status_code == 200, answer.status_code
    return time.process_time() - cpu, time.perf_counter() - wall


def templates_rendered(client: Client) -> int:
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        client.get(URL, secure=True)
    finally:
        template_rendered.disconnect(record)
    return len(names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    edition = prepare(args.respondents)
    client, name = signed_in_client(edition)
    print(
        f"Base {connection.vendor}, cache {os.environ['CACHE_URL']}, édition {YEAR} : "
        f"{args.respondents} répondants ; page de {name}"
    )
    cache.clear()
    first_cpu, first_wall = visit(client)
    for _ in range(3):  # template loaders, connections
        visit(client)
    warm = [visit(client) for _ in range(args.repeat)]
    cpu = statistics.median(c for c, _ in warm)
    wall = statistics.median(w for _, w in warm)

    setup_test_environment()
    try:
        rendered_warm = templates_rendered(client)
        cache.clear()
        rendered_cold = templates_rendered(client)
    finally:
        teardown_test_environment()

    print(f"\n{'Mesure':50} {'CPU':>9} {'mur':>9} {'gabarits rendus':>16}")
    print(
        f"{'Première visite, cache vidé':50} {first_cpu * 1000:6.1f} ms {first_wall * 1000:6.1f} ms"
        f" {rendered_cold:>16}"
    )
    print(
        f"{f'Visite suivante (médiane de {args.repeat})':50} {cpu * 1000:6.1f} ms "
        f"{wall * 1000:6.1f} ms {rendered_warm:>16}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
