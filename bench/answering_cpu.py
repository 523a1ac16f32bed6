"""CPU and SQL queries per request of the answering pages, measured as production runs.

    .venv/bin/python bench/answering_cpu.py --rounds 7

The script recreates the PostgreSQL database `barometre_bench_perf` (127.0.0.1:5432), migrates
it, imports the 2021 edition and opens its wave, creates one collectivité per round (kinds
mixed, so that conditions go both ways) with its invitation, and generates its answers from the
definitions (`surveys/synthetic.py`, as `bench/load_answering.py`). It starts gunicorn (4 sync
workers, DEBUG=0, cache and Celery broker on Redis database 5) with `bench/gunicorn_cpu.py`,
whose hooks write each request's worker CPU time (`time.process_time()` around the request) and
SQL query count. Then, one request at a time, each round walks one agent's journey: the magic
link, the overview, for every section its page (GET), an autosave of its answers, the page's
save (POST), then the review (GET) and the submission (POST). The kinds of page are thus
interleaved within each round; the figures are the medians over every request of a kind, after
`--warmup` journeys not counted (each worker loads its templates and opens its connection).

Budgets (issue 19, a 2021 response of realistic size): section page ≤ 8 ms CPU and ≤ 6 queries,
autosave ≤ 10 ms and ≤ 8 queries, review ≤ 12 ms, submission ≤ 25 ms. The exit status is 0 when
every journey went through and every budget holds. The database is dropped at the end. Beside
the submissions' row, "envoi, worker déjà servi" leaves out the first submission of each worker
(it also opens the worker's broker connection); the budget applies to all of them.

After each section, the journey also asks for `/plancher/`, the framework's floor (a bare view
rendering a small template, served by the bench's hooks only): every page is also given as a
multiple of it, and each budget as the same multiple of the floor on the issue's machine
(1.9 ms), which a slower or faster machine can check.

`--database-url` and `--redis-url` choose another local database and Redis database (two runs
side by side, e.g. the code before and after a change); `--profile DIR` also writes each
measured request's cProfile (CPU clock) and SQL queries there (see `bench/gunicorn_cpu.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load_answering as load  # noqa: E402 (the bench's own helpers, next to this file)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barometre_bench_perf"
REDIS_URL = "redis://127.0.0.1:6379/5"
# kind of page: (CPU ms, queries) at most; None: not budgeted.
# The issue's budgets were set on a machine where the framework's floor cost ISSUE_FLOOR_MS.
ISSUE_FLOOR_MS = 1.9
FLOOR = "plancher"
BUDGETS = {
    "section (GET)": (8.0, 6),
    "autosave": (10.0, 8),
    "relecture (GET)": (12.0, None),
    "envoi (POST)": (25.0, None),
}
AUTOSAVE_VERSION = re.compile(r'"version": (\d+)')


def kind_of(method: str, path: str) -> str:
    year = f"/repondre/{load.YEAR}/"
    if path == "/plancher/":
        return FLOOR
    if path.startswith("/acces/"):
        return f"lien ({method})"
    if path == year:
        return "sommaire"
    if path.endswith("/autosave/"):
        return "autosave"
    if path.startswith(f"{year}section/"):
        return f"section ({method})"
    if path == f"{year}relecture/":
        return "relecture (GET)" if method == "GET" else "envoi (POST)"
    if path == f"{year}confirmation/":
        return "confirmation"
    return f"autre ({method})"


def journey(agent: load.Agent, browser: load.Browser) -> None:
    """The agent's journey, one request at a time, with an autosave on every page."""
    link = f"/acces/{agent.token}/"
    _, page = browser.expect("lien", "GET", link, 200)
    csrf = load._one(load.CSRF_INPUT, page, "jeton CSRF", link)
    browser.expect("lien", "POST", link, 302, [("csrfmiddlewaretoken", csrf)])
    home = f"/repondre/{load.YEAR}/"
    _, page = browser.expect("sommaire", "GET", home, 200)
    sections = list(dict.fromkeys(load.SECTION_LINK.findall(page)))
    for code in sections:
        path = f"/repondre/{load.YEAR}/section/{code}/"
        _, page = browser.expect("section", "GET", path, 200)
        csrf = load._one(load.CSRF_INPUT, page, "jeton CSRF", path)
        version = load._one(load.VERSION_INPUT, page, "version", path)
        answers = agent.posts.get(code, [])
        _, saved = browser.expect(
            "autosave",
            "POST",
            f"{path}autosave/",
            200,
            [("csrfmiddlewaretoken", csrf), ("version", version), *answers],
        )
        version = load._one(AUTOSAVE_VERSION, saved, "version", path)
        fields = [("csrfmiddlewaretoken", csrf), ("version", version), *answers]
        browser.expect("section", "POST", path, 302, [*fields, ("action", "continue")])
        browser.expect(FLOOR, "GET", "/plancher/", 200)  # see bench/gunicorn_cpu.py
    review = f"/repondre/{load.YEAR}/relecture/"
    _, page = browser.expect("relecture", "GET", review, 200)
    fields = [
        ("csrfmiddlewaretoken", load._one(load.CSRF_INPUT, page, "jeton CSRF", review)),
        ("version", load._one(load.VERSION_INPUT, page, "version", review)),
        *[("confirm", code) for code in load.CONFIRM_INPUT.findall(page)],
    ]
    location, _ = browser.expect("envoi", "POST", review, 302, fields)
    browser.expect("confirmation", "GET", urlsplit(location).path, 200)


# The submissions again, without the first one each gunicorn worker served: that one also opens
# the worker's broker connection (≈ 6 ms; the Celery app itself is built at the worker's start,
# `barometre.celery.prepare_sender`: bench/README.md, seventh relevé). Reported beside the
# budgeted row, never in place of it.
SUBMISSION = "envoi (POST)"
LATER_SUBMISSION = "envoi, worker déjà servi"


def read_log(path: Path) -> dict[str, list[tuple[float, int]]]:
    figures: dict[str, list[tuple[float, int]]] = defaultdict(list)
    submitted: set[int] = set()
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row["path"].startswith("/static/") or row["path"] == "/":
            continue
        kind = kind_of(row["method"], row["path"])
        figures[kind].append((row["cpu_ms"], row["queries"]))
        if kind == SUBMISSION:
            if row["pid"] in submitted:
                figures[LATER_SUBMISSION].append((row["cpu_ms"], row["queries"]))
            submitted.add(row["pid"])
    return figures


def report(figures: dict[str, list[tuple[float, int]]]) -> bool:
    """Print each kind's figures and budget; True when every budget in ms holds. The floor's
    column reads each page in multiples of the framework's floor measured here, and each budget
    as the same multiple of the issue's floor: the check a slower or faster machine can make."""
    floor = statistics.median(c for c, _ in figures[FLOOR]) if figures.get(FLOOR) else None
    print(
        f"{'page':<18}{'requêtes':>9}{'CPU méd. (ms)':>15}{'CPU p90':>9}{'× plancher':>11}"
        f"{'requêtes SQL méd.':>19}{'max':>5}   budget"
    )
    within = True
    for kind, rows in sorted(figures.items()):
        cpu = sorted(c for c, _ in rows)
        queries = [q for _, q in rows]
        median = statistics.median(cpu)
        p90 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.9))]
        times = f"{median / floor:>11.1f}" if floor else f"{'—':>11}"
        budget = BUDGETS.get(kind)
        verdict = ""
        if budget:
            cpu_ok = median <= budget[0]
            queries_ok = budget[1] is None or statistics.median(queries) <= budget[1]
            within = within and cpu_ok and queries_ok
            limits = f"≤ {budget[0]:g} ms" + (f", ≤ {budget[1]} req." if budget[1] else "")
            verdict = f"{limits} : {'tenu' if cpu_ok and queries_ok else 'DÉPASSÉ'}"
            if floor:
                multiple = budget[0] / ISSUE_FLOOR_MS
                relative_ok = median / floor <= multiple and queries_ok
                verdict += f" ; ≤ {multiple:.1f}× plancher : {'tenu' if relative_ok else 'DÉPASSÉ'}"
        print(
            f"{kind:<18}{len(rows):>9}{median:>15.1f}{p90:>9.1f}{times}"
            f"{statistics.median(queries):>19g}{max(queries):>5}   {verdict}"
        )
    if floor:
        print(
            f"plancher : vue nue et petit gabarit derrière tous les middlewares, {floor:.2f} ms "
            f"ici contre {ISSUE_FLOOR_MS:g} ms sur la machine de l'issue ; le statut de sortie "
            "suit les budgets en ms"
        )
    return within


def drop_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")  # checked by load.prepare_database
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="parcours successifs (7)")
    parser.add_argument("--workers", type=int, default=4, help="workers gunicorn (4)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="parcours de mise en route, non comptés (1)"
    )
    parser.add_argument("--seed", type=int, default=2021, help="graine des réponses générées")
    parser.add_argument("--keep", action="store_true", help="garder la base à la fin")
    parser.add_argument(
        "--database-url", default=DATABASE_URL, help=f"base PostgreSQL locale ({DATABASE_URL})"
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help=f"cache et file ({REDIS_URL})")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DOSSIER",
        help="écrire le profil cProfile de chaque requête mesurée dans ce dossier",
    )
    options = parser.parse_args(argv)
    if not 1 <= options.rounds <= 50:
        parser.error("--rounds entre 1 et 50")

    port = load.free_port()
    env = load.server_environment(options.database_url, port)
    log = ROOT / "var" / "bench-answering-cpu.jsonl"
    log.parent.mkdir(exist_ok=True)
    log.unlink(missing_ok=True)
    redis = options.redis_url
    env.update(CACHE_URL=redis, CELERY_BROKER_URL=redis, BENCH_CPU_LOG=str(log))
    if options.profile:
        options.profile.mkdir(parents=True, exist_ok=True)
        env["BENCH_PROFILE_DIR"] = str(options.profile.resolve())
    load.prepare_database(options.database_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print(f"Préparation : base, édition {load.YEAR}, {options.rounds} collectivités…")
    agents = load.prepare_agents(options.warmup + options.rounds, options.seed)
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()

    config = ("-c", str(ROOT / "bench" / "gunicorn_cpu.py"))
    server_log = ROOT / "var" / "bench-answering-cpu.log"
    server = load.start_gunicorn(env, port, options.workers, server_log, config)
    stats = load.Stats()
    errors = []
    try:
        deadline = time.monotonic() + 1800
        for number, agent in enumerate(agents):
            if number == options.warmup:
                # Not measured: the start-up probe and the warm-up journeys (templates loaded,
                # compiled edition built, connections opened in each worker).
                log.unlink(missing_ok=True)
                if options.profile:
                    (options.profile / "measuring").touch()
            try:
                journey(agent, load.Browser(port, stats, deadline))
            except load.JourneyError as error:
                errors.append(f"agent {agent.number} : {error}")
    finally:
        load.stop_gunicorn(server)
        if not options.keep:
            connections.close_all()
            drop_database(options.database_url)
    load_average = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\n{options.rounds} parcours d'une réponse 2021, une requête à la fois, gunicorn "
        f"{options.workers} workers, PostgreSQL ; charge moyenne de la machine : {load_average}"
    )
    within = report(read_log(log))
    for message in errors:
        print(f"erreur : {message}")
    return 0 if within and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
