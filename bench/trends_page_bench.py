"""The trends page, cold and warm, with and without the constant panel, as production runs.

    .venv/bin/python bench/trends_page_bench.py --respondents 5000 --repeat 10

PostgreSQL (`--database-url`, default the local `barometre_panel`, created if missing and kept
between runs: seeding is the slow part), cache on Redis (`--cache-url`, default database 14),
Celery broker on Redis (database 5) with a real worker, gunicorn with the production settings
(DEBUG=0) and `bench/gunicorn_cpu.py`, whose hooks write each request's worker CPU time
(`time.process_time()` around the request) and SQL query count.

Preparation, once: migrate, import editions/2018.yaml and editions/2021.yaml, clone 2021 into
2022, seed each edition with `seed_demo` (`--respondents` each; the synthetic collectivités are
taken in the same order, so the panels are large), close them and compute their figures. Then an
analyst signs in, and each round, for each reading (all respondents, `?panel=on`), in turn:
the trends, the panels and the rendered pages are removed from Redis (the editions' figures stay
cached: the page after a results generation), one cold request, then `--warm` warm requests.
The cold panel page answers at once with every respondent's trends and asks the Celery worker
for the panel; the page is then asked again every half second until the panel shows (the time
it took is reported). A first round is not counted (each worker loads its templates, opens its
connections). Figures: medians over the rounds of the gunicorn worker's CPU time, the client's
wall time and the SQL queries.

Target (issue 19): a warm trends page ≤ 10 ms of CPU. Exit status 0 when it holds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load_answering as load  # noqa: E402 (the bench's own helpers, next to this file)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barometre_panel"
CACHE_URL = "redis://127.0.0.1:6379/14"
BROKER_URL = "redis://127.0.0.1:6379/5"
YEARS = (2018, 2021, 2022)
PAGE = "/resultats/2022/tendances/"
# Each request carries its number (`n`, ignored by the page) to find its line in the CPU log.
READINGS = {"tous les répondants": f"{PAGE}?", "panel constant": f"{PAGE}?panel=on&"}
# The floor of any analyst's page (session, user, layout): the results' index, warm only.
REFERENCE = ("accueil des résultats (référence)", "/resultats/?")
WARM_TARGET_MS = 10.0
PANEL_SHOWN = "Panel constant 2018 → 2021"
USERNAME = "analyste-banc"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    if parts.hostname not in load.LOOPBACK:
        raise SystemExit("Le banc n'utilise qu'un PostgreSQL local (postgres://…@127.0.0.1/…).")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Nom de base refusé : {name!r}")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def prepare(respondents: int) -> None:
    """The three editions seeded, closed and computed; an analyst with a known password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from barometre.roles import ANALYSTS
    from exports.results.cache import recompute
    from surveys.definition.evolution import clone_edition
    from surveys.models import Edition, Response

    call_command("migrate", verbosity=0)
    for year in (2018, 2021):
        if not Edition.objects.filter(year=year).exists():
            call_command("import_edition", str(ROOT / "editions" / f"{year}.yaml"), verbosity=0)
    if not Edition.objects.filter(year=2022).exists():
        clone_edition(Edition.objects.get(year=2021), 2022, "Baromètre 2022 (banc)")
    Edition.objects.filter(year__in=YEARS).update(status=Edition.Status.CLOSED)
    for year in YEARS:
        edition = Edition.objects.get(year=year)
        counted = Response.objects.filter(edition=edition, status__in=Response.COUNTED_STATUSES)
        if counted.count() != respondents:
            print(f"→ seed_demo --edition {year} --respondents {respondents}")
            started = time.perf_counter()
            call_command("seed_demo", edition=year, respondents=respondents, seed=year, verbosity=0)
            print(f"  fait en {time.perf_counter() - started:.0f} s")
        recompute(edition, rebuild=True, errata=False)
    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None:
        user = get_user_model().objects.create_user(USERNAME, "banc@example.test")
    user.set_password(USERNAME)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])


def forget_trends() -> int:
    """Remove the cached trends, panels and pages from Redis; how many keys."""
    import redis

    client = redis.Redis.from_url(os.environ["CACHE_URL"])
    keys = [
        key
        for pattern in ("*:trends:*", "*:panel:*")
        for key in client.scan_iter(match=pattern, count=1000)
    ]
    return client.delete(*keys) if keys else 0


def start_celery(env: dict, log: Path) -> subprocess.Popen:
    log_file = open(log, "w")  # closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "barometre", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log_file = log_file
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("le worker Celery n'a pas démarré :\n" + log.read_text())
        time.sleep(0.3)
    return process


def stop_celery(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log_file.close()


def sign_in(browser: load.Browser) -> None:
    _, page = browser.expect("connexion", "GET", "/compte/connexion/", 200)
    csrf = load._one(load.CSRF_INPUT, page, "jeton CSRF", "/compte/connexion/")
    browser.expect(
        "connexion",
        "POST",
        "/compte/connexion/",
        302,
        [("csrfmiddlewaretoken", csrf), ("username", USERNAME), ("password", USERNAME)],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=5000, help="par édition (5000)")
    parser.add_argument("--repeat", type=int, default=10, help="tours mesurés (10)")
    parser.add_argument("--warm", type=int, default=5, help="visites chaudes par tour (5)")
    parser.add_argument("--workers", type=int, default=2, help="workers gunicorn (2)")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--cache-url", default=CACHE_URL)
    options = parser.parse_args(argv)

    ensure_database(options.database_url)
    port = load.free_port()
    env = load.server_environment(options.database_url, port)
    log = ROOT / "var" / "bench-trends-page.jsonl"
    log.parent.mkdir(exist_ok=True)
    log.unlink(missing_ok=True)
    env.update(CACHE_URL=options.cache_url, CELERY_BROKER_URL=BROKER_URL, BENCH_CPU_LOG=str(log))
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print(f"Préparation : éditions {YEARS}, {options.respondents} répondants chacune…")
    prepare(options.respondents)
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # minutes: only once
    connections.close_all()

    config = ("-c", str(ROOT / "bench" / "gunicorn_cpu.py"))
    celery = start_celery(env, ROOT / "var" / "bench-trends-celery.log")
    server = load.start_gunicorn(
        env, port, options.workers, ROOT / "var" / "bench-trends-page.log", config
    )
    stats = load.Stats()
    # {request number: (reading, cold or warm, wall ms)}, matched to the log's lines afterwards.
    walls: dict[str, tuple[str, str, float]] = {}
    ready: list[float] = []  # seconds from the cold panel page to the panel shown
    try:
        browser = load.Browser(port, stats, time.monotonic() + 3600)
        sign_in(browser)
        for number in range(options.repeat + 1):
            if number == 1:
                log.unlink(missing_ok=True)
                walls.clear()
            for reading, path in READINGS.items():
                forget_trends()
                asked = time.perf_counter()
                for visit in ["froide"] + ["chaude"] * options.warm:
                    request = f"n={len(walls) + 1}-{number}"
                    started = time.perf_counter()
                    status, _, page = browser.request(reading, "GET", path + request)
                    wall = (time.perf_counter() - started) * 1000
                    if status != 200 or "Tendances entre éditions" not in page:
                        raise SystemExit(f"GET {path} : {status}")
                    walls[request] = (reading, visit, wall)
                    while "panel=on" in path and PANEL_SHOWN not in page:
                        if time.perf_counter() - asked > 600:
                            raise SystemExit("le panel n'est pas venu en 10 minutes")
                        time.sleep(0.5)
                        request = f"n={len(walls) + 1}-{number}"
                        started = time.perf_counter()
                        status, _, page = browser.request(reading, "GET", path + request)
                        wall = (time.perf_counter() - started) * 1000
                        walls[request] = (reading, "attente", wall)
                    if visit == "froide" and "panel=on" in path and number:
                        ready.append(time.perf_counter() - asked)
            for _ in range(options.warm):
                request = f"n={len(walls) + 1}-{number}"
                started = time.perf_counter()
                status, _, page = browser.request(REFERENCE[0], "GET", REFERENCE[1] + request)
                if status != 200:
                    raise SystemExit(f"GET {REFERENCE[1]} : {status}")
                walls[request] = (REFERENCE[0], "chaude", (time.perf_counter() - started) * 1000)
    finally:
        load.stop_gunicorn(server)
        stop_celery(celery)
        connections.close_all()

    lines = {}
    for text in log.read_text().splitlines():
        line = json.loads(text)
        request = re.search(r"n=([\w-]+)", line.get("query", ""))
        if line["path"] in (PAGE, "/resultats/") and request and f"n={request.group(1)}" in walls:
            lines[f"n={request.group(1)}"] = line
    if len(lines) != len(walls):
        raise SystemExit(f"{len(lines)} lignes de mesure pour {len(walls)} requêtes")
    load_average = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\n{options.repeat} tours, gunicorn {options.workers} workers, PostgreSQL, cache Redis "
        f"({options.cache_url}) ; {options.respondents} répondants par édition ; "
        f"charge moyenne de la machine à la fin : {load_average}"
    )
    print(f"{'page':<36}{'visite':<8}{'n':>5}{'CPU méd. (ms)':>15}{'mur méd. (ms)':>15}{'SQL':>6}")
    within = True
    for reading, visits in [
        *((reading, ("froide", "attente", "chaude")) for reading in READINGS),
        (REFERENCE[0], ("chaude",)),
    ]:
        for visit in visits:
            rows = [
                (lines[request], wall)
                for request, (r, v, wall) in walls.items()
                if r == reading and v == visit
            ]
            if not rows:
                continue
            cpu = statistics.median(line["cpu_ms"] for line, _ in rows)
            wall = statistics.median(w for _, w in rows)
            queries = statistics.median(line["queries"] for line, _ in rows)
            print(f"{reading:<36}{visit:<8}{len(rows):>5}{cpu:>15.1f}{wall:>15.1f}{queries:>6g}")
            if visit == "chaude" and reading in READINGS:
                within = within and cpu <= WARM_TARGET_MS
    if ready:
        print(
            f"panel affiché après (médiane de {len(ready)} tours, depuis la page froide, worker "
            f"Celery) : {statistics.median(ready):.1f} s (de {min(ready):.1f} à {max(ready):.1f} s)"
        )
    print(
        f"cible : page chaude ≤ {WARM_TARGET_MS:g} ms de CPU : {'tenue' if within else 'MANQUÉE'}"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
