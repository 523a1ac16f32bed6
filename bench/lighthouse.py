"""Lighthouse on the results pages and a respondent's page, served as in production.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--respondents 300] [--preset mobile]

It recreates a local PostgreSQL database (`--database-url`, default baro_bench_lighthouse),
imports editions/2018.yaml (published: figures computed and frozen) and editions/2021.yaml (open),
seeds synthetic responses in both, signs in an analyst and two respondents (one whose response
is sent, for "Mes résultats"; one with a draft, for a section page), runs `collectstatic` and
gunicorn with production settings (DEBUG=0, whitenoise, gzip, cache on `--cache-url`), visits
each page twice to fill the server's caches, then runs Lighthouse `--runs` times per page, the
pages interleaved, in the system Chromium (headless). Lighthouse is installed on first use into
bench/.lighthouse/ (npm, ignored by git): it is never a dependency of the application. Reports
(JSON) go to var/lighthouse/; the medians are printed with the machine's load.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_answering import (  # noqa: E402
    free_port,
    prepare_database,
    server_environment,
    start_gunicorn,
    stop_gunicorn,
)

LIGHTHOUSE_VERSION = "12.8.2"
PREFIX = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE = PREFIX / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "var" / "lighthouse"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
]
CATEGORIES = ("performance", "accessibility", "best-practices")


def install_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    print(f"Installation de Lighthouse {LIGHTHOUSE_VERSION} dans {PREFIX.relative_to(ROOT)}/ …")
    PREFIX.mkdir(parents=True, exist_ok=True)
    (PREFIX / "package.json").write_text('{"private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
        + [f"lighthouse@{LIGHTHOUSE_VERSION}"],
        cwd=PREFIX,
        check=True,
    )


def prepare(respondents: int) -> dict[str, tuple[str, str]]:
    """The data, and each measured page: {name: (path, session cookie)}."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from barometre.roles import ANALYSTS
    from exports.results.cache import recompute
    from exports.results.publication import freeze
    from respondents.models import Contact, Invitation
    from surveys.definition import import_definition, load_definition
    from surveys.models import Edition, Response
    from surveys.synthetic import seed_responses

    call_command("migrate", verbosity=0)
    now = timezone.now()
    editions = {}
    for year, status in ((2018, Edition.Status.PUBLISHED), (2021, Edition.Status.OPEN)):
        edition, _ = import_definition(load_definition(ROOT / "editions" / f"{year}.yaml"))
        edition.status = status
        edition.opens_at = now - timedelta(days=30)
        edition.closes_at = now + timedelta(days=30) if year == 2021 else now - timedelta(days=1)
        edition.save()
        status = "submitted" if year == 2018 else "mixed"
        seed_responses(edition, respondents, seed=year, status=status)
        editions[year] = edition
    analyst = get_user_model().objects.create_user("analyste-banc", "analyste@banc.test", "pw")
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    freeze(editions[2018], recompute(editions[2018], errata=False), analyst)
    recompute(editions[2021])

    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(analyst)

    def respondent(status: str) -> str:
        response = (
            Response.objects.filter(edition=editions[2021], status=status)
            .select_related("collectivite")
            .order_by("pk")
            .first()
        )
        contact = Contact.objects.create(
            collectivite=response.collectivite, email=f"{status}@banc.test"
        )
        invitation = Invitation.objects.create(
            edition=editions[2021], collectivite=response.collectivite, contact=contact
        )
        client = Client(HTTP_HOST="127.0.0.1")
        answer = client.post(f"/acces/{invitation.issue_token()}/")
        assert answer.status_code == 302, answer.status_code
        return client.cookies["sessionid"].value

    sent, draft = respondent(Response.Status.SUBMITTED), respondent(Response.Status.DRAFT)
    section = editions[2021].sections.order_by("order").first().code
    return {
        "résultats publics": ("/resultats/2018/publics/", ""),
        "résultats (analystes)": ("/resultats/2021/", staff.cookies["sessionid"].value),
        "tendances (analystes)": ("/resultats/2021/tendances/", staff.cookies["sessionid"].value),
        "Mes résultats": ("/resultats/2021/ma-collectivite/", sent),
        "section (répondant)": (f"/repondre/2021/section/{section}/", draft),
    }


def visit(base: str, path: str, session: str) -> None:
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (our own http URL)
        base + path, headers={"Cookie": f"sessionid={session}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (our own http URL)
        if answer.status != 200 or answer.url != base + path:
            raise SystemExit(f"{path} : {answer.status} {answer.url}")


def lighthouse(base: str, path: str, session: str, preset: str, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        base + path,
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if session:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"sessionid={session}"}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    # Under heavy load Lighthouse sometimes loses its trace (NO_NAVSTART): one more try.
    if subprocess.run(command, env=env, timeout=300).returncode != 0:
        subprocess.run(command, check=True, env=env, timeout=300)
    data = json.loads(report.read_text())
    audits = data["audits"]
    figures = {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}
    for audit in (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
        "speed-index",
    ):
        figures[audit] = audits[audit]["numericValue"]
    figures["failed"] = sorted(
        f"{category}:{ref['id']}"
        for category in CATEGORIES
        for ref in data["categories"][category]["auditRefs"]
        if ref["weight"] and (audits[ref["id"]]["score"] or 0) < 0.9
    )
    return figures


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="passages par page (3)")
    parser.add_argument("--respondents", type=int, default=300, help="réponses par édition")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--workers", type=int, default=2, help="workers gunicorn (2)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/baro_bench_lighthouse",
        help="base PostgreSQL locale, recréée par le banc",
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("CACHE_URL", ""), help="cache Redis (production)"
    )
    options = parser.parse_args(argv)
    # Stopped by a signal, the bench still stops its gunicorn (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    install_lighthouse()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_environment(options.database_url, port)
    env.update(CACHE_URL=options.cache_url, ALLOWED_HOSTS="127.0.0.1")
    prepare_database(options.database_url)
    os.environ.update(env)
    (ROOT / "staticfiles").mkdir(exist_ok=True)  # whitenoise looks for it before collectstatic
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    cache.clear()
    print(f"Préparation : 2018 (publiée) et 2021 (ouverte), {options.respondents} réponses…")
    pages = prepare(options.respondents)
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()

    REPORTS.mkdir(parents=True, exist_ok=True)
    log = ROOT / "var" / "bench-lighthouse-gunicorn.log"
    server = start_gunicorn(env, port, options.workers, log)
    results: dict[str, list[dict]] = {name: [] for name in pages}
    loads = [load()]
    try:
        for path, session in pages.values():
            visit(base, path, session)
            visit(base, path, session)
        for run in range(options.runs):
            for name, (path, session) in pages.items():
                slug = path.strip("/").replace("/", "-")
                report = REPORTS / f"{options.preset}-{slug}-{run}.json"
                results[name].append(lighthouse(base, path, session, options.preset, report))
            loads.append(load())
    finally:
        stop_gunicorn(server)

    print(
        f"\nLighthouse {LIGHTHOUSE_VERSION}, préréglage {options.preset}, médianes de "
        f"{options.runs} passages ; charge (1, 5, 15 min) : {' → '.join(loads)}"
    )
    print("page | performance | accessibilité | bonnes pratiques | FCP | LCP | TBT | CLS | SI")
    for name, runs in results.items():
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "failed"}
        print(
            f"{name} | {median['performance']:.0f} | {median['accessibility']:.0f} | "
            f"{median['best-practices']:.0f} | {median['first-contentful-paint']:.0f} ms | "
            f"{median['largest-contentful-paint']:.0f} ms | {median['total-blocking-time']:.0f} ms"
            f" | {median['cumulative-layout-shift']:.3f} | {median['speed-index']:.0f} ms"
        )
        failed = sorted({audit for r in runs for audit in r["failed"]})
        if failed:
            print(f"  audits sous 0,9 : {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
