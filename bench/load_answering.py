"""Load test of the answering journey: N agents at once against gunicorn and PostgreSQL.

    .venv/bin/python bench/load_answering.py --agents 50

The script creates its own PostgreSQL database (dropped first if it exists), migrates it, imports
the 2021 edition and opens its wave, creates one collectivité per agent (a mix of communes,
intercommunalités, métropoles, départements and régions, so that conditions go both ways), and
one invitation per collectivité with a token it knows. It starts gunicorn on 127.0.0.1 with
production settings (DEBUG=0), then each agent, in its own thread, walks the whole journey as a
browser without JavaScript would: the magic link (GET, then POST), the overview, every section
page (GET, then POST of valid answers generated from the definitions by `surveys/synthetic.py`,
numbers typed the French way), the review page, the submission and the confirmation.

At the end it checks that every answer sent is stored, and nothing else, and prints requests per
second, p50/p95 latency per kind of request, errors and missing answers; the exit status is 0 only
without errors nor missing answers. Loopback only, bounded: at most 500 agents, and the run stops
after --timeout seconds whatever happens; gunicorn is stopped on the way out.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR = 2021
MAX_AGENTS = 500
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Kinds of collectivités, in the Baromètre's usual proportions.
KINDS = [
    ("commune", 0.6),
    ("intercommunalite", 0.2),
    ("departement", 0.1),
    ("metropole", 0.05),
    ("region", 0.05),
]


# --- setup: database, edition, collectivités, invitations -------------------------------------


def prepare_database(database_url: str) -> None:
    """Drop and create the bench database (on a loopback server only)."""
    import psycopg

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname not in LOOPBACK:
        raise SystemExit("Le banc n'utilise qu'un PostgreSQL local (postgres://…@127.0.0.1/…).")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Nom de base refusé : {name!r}")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "barometre.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


@dataclass
class Agent:
    number: int
    token: str
    collectivite_id: int
    kind: str
    # {section code: POST fields}, and what must be stored: {(code, item): (value, other_text)}
    posts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    expected: dict[tuple[str, int], tuple] = field(default_factory=dict)


def _collectivite(number: int, kind: str):
    from respondents.models import Collectivite

    fields = {
        "commune": {"kind": "commune", "population": 800 + number * 137},
        "intercommunalite": {"kind": "epci", "epci_type": "CC", "population": 25_000 + number},
        "metropole": {"kind": "epci", "epci_type": "METRO", "population": 450_000 + number},
        "departement": {"kind": "departement", "population": 600_000 + number},
        "region": {"kind": "region", "population": 3_000_000 + number},
    }[kind]
    return Collectivite.objects.create(
        code=f"B{number:05d}",
        name=f"Collectivité d'essai {number:03d} ({kind})",
        departement_code="35",
        region_code="53",
        **fields,
    )


def post_fields(question, value, other_text: str) -> list[tuple[str, str]]:
    """The form fields a browser sends for this stored value (contract: surveys/forms.py)."""
    from surveys.validation import NSP, format_number

    name = question.code
    kind = question.type
    if kind == "single":
        fields = [(name, value)]
    elif kind == "multiple":
        fields = [(name, code) for code in value]
    elif kind in ("matrix", "ranking"):
        fields = [(f"{name}.{key}", str(point)) for key, point in value.items()]
    elif kind in ("integer", "decimal", "money"):
        fields = [(f"{name}_nsp", "1")] if value == NSP else [(name, format_number(Decimal(value)))]
    elif kind in ("text", "longtext"):
        fields = [(name, value)]
    else:
        raise SystemExit(f"Type de question non pris en charge par le banc : {kind} ({name})")
    if other_text:
        fields.append((f"{name}_autre", other_text))
    return fields


def prepare_agents(count: int, seed: int) -> list[Agent]:
    """The edition, the collectivités, their invitations and the answers each agent will send."""
    from django.core.management import call_command
    from django.utils import timezone

    from respondents.models import Contact, Invitation, MagicLink, hash_token
    from surveys.definition import import_definition, load_definition
    from surveys.models import Edition, Question
    from surveys.synthetic import compile_questionnaire, generate_answers

    call_command("migrate", verbosity=0)
    edition, _ = import_definition(load_definition(ROOT / "editions" / f"{YEAR}.yaml"))
    edition.status = Edition.Status.OPEN
    edition.opens_at = timezone.now() - timedelta(days=1)
    edition.closes_at = timezone.now() + timedelta(days=30)
    edition.save()
    questions = {
        q.pk: q for q in Question.objects.filter(edition=edition).select_related("section")
    }
    if any(q.type == "roster" for q in questions.values()):
        raise SystemExit(
            "Le banc ne remplit pas les listes répétables : édition sans liste attendue."
        )
    questionnaire = compile_questionnaire(edition)

    rng = random.Random(seed)
    kinds = [kind for kind, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    agents = []
    for number in range(1, count + 1):
        # Every kind appears at least once, whatever the number of agents.
        kind = kinds[number - 1] if number <= len(kinds) else rng.choices(kinds, weights)[0]
        collectivite = _collectivite(number, kind)
        contact = Contact.objects.create(
            collectivite=collectivite, email=f"agent{number:03d}@collectivite-essai.test"
        )
        token = f"banc-{number:04d}-{secrets.token_urlsafe(24)}"
        invitation = Invitation.objects.create(
            edition=edition, collectivite=collectivite, contact=contact, sent_at=timezone.now()
        )
        MagicLink.objects.create(invitation=invitation, token_hash=hash_token(token))
        agent = Agent(number, token, collectivite.pk, kind)
        for question_id, item, value, _number, other_text in generate_answers(
            questionnaire, collectivite, rng
        ):
            question = questions[question_id]
            agent.posts.setdefault(question.section.code, []).extend(
                post_fields(question, value, other_text)
            )
            agent.expected[(question.code, item)] = (value, other_text)
        agents.append(agent)
    return agents


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, log: Path, options: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn on the loopback, ready to answer; `options`: more of its command-line options."""
    log_file = open(log, "w")  # closed with the process, in stop_gunicorn
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "barometre.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    process.log_file = log_file
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté au démarrage :\n" + log.read_text())
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    raise SystemExit("gunicorn ne répond pas après 60 s :\n" + log.read_text())


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log_file.close()


# --- the agents ---------------------------------------------------------------------------------


class JourneyError(Exception):
    pass


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.timings[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
SECTION_LINK = re.compile(rf'href="/repondre/{YEAR}/section/([\w-]+)/"')
CONFIRM_INPUT = re.compile(r'name="confirm" value="([^"]+)"')


class Browser:
    """One agent's HTTP client: its own cookies, no automatic redirects, every request timed."""

    def __init__(self, port: int, stats: Stats, deadline: float):
        self.port = port
        self.stats = stats
        self.deadline = deadline
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, fields=None) -> tuple[int, str, str]:
        if time.monotonic() > self.deadline:
            raise JourneyError("temps imparti écoulé")
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        self.stats.record(kind, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def expect(self, kind, method, path, status, fields=None) -> tuple[str, str]:
        got, location, text = self.request(kind, method, path, fields)
        if got != status:
            raise JourneyError(f"{method} {path} : {got} au lieu de {status}")
        return location, text


def _one(pattern: re.Pattern, text: str, what: str, path: str) -> str:
    match = pattern.search(text)
    if match is None:
        raise JourneyError(f"{what} introuvable dans {path}")
    return unescape(match.group(1))


def journey(agent: Agent, browser: Browser) -> None:
    """Everything an agent does, from the e-mail's link to the confirmation page."""
    link = f"/acces/{agent.token}/"
    _, page = browser.expect("lien (GET)", "GET", link, 200)
    csrf = _one(CSRF_INPUT, page, "jeton CSRF", link)
    location, _ = browser.expect("lien (POST)", "POST", link, 302, [("csrfmiddlewaretoken", csrf)])
    home = f"/repondre/{YEAR}/"
    if urlsplit(location).path != home:
        raise JourneyError(f"le lien mène à {location} au lieu de {home}")
    _, page = browser.expect("sommaire", "GET", home, 200)
    sections = list(dict.fromkeys(SECTION_LINK.findall(page)))
    if not sections:
        raise JourneyError("aucune section dans le sommaire")
    unknown = set(agent.posts) - set(sections)
    if unknown:
        raise JourneyError(f"sections à remplir absentes du sommaire : {sorted(unknown)}")

    for code in sections:
        path = f"/repondre/{YEAR}/section/{code}/"
        _, page = browser.expect("section (GET)", "GET", path, 200)
        fields = [
            ("csrfmiddlewaretoken", _one(CSRF_INPUT, page, "jeton CSRF", path)),
            ("version", _one(VERSION_INPUT, page, "version", path)),
            *agent.posts.get(code, []),
            ("action", "continue"),
        ]
        status, _, page = browser.request("section (POST)", "POST", path, fields)
        if status != 302:
            errors = re.findall(r'<p class="field-error"[^>]*>([^<]+)</p>', page)
            raise JourneyError(f"POST {path} : {status} au lieu de 302 ; erreurs : {errors[:5]}")

    review = f"/repondre/{YEAR}/relecture/"
    _, page = browser.expect("relecture (GET)", "GET", review, 200)
    fields = [
        ("csrfmiddlewaretoken", _one(CSRF_INPUT, page, "jeton CSRF", review)),
        ("version", _one(VERSION_INPUT, page, "version", review)),
        *[("confirm", code) for code in CONFIRM_INPUT.findall(page)],
    ]
    location, _ = browser.expect("envoi (POST)", "POST", review, 302, fields)
    _, page = browser.expect("confirmation", "GET", urlsplit(location).path, 200)


def run_agent(agent: Agent, port: int, stats: Stats, deadline: float) -> None:
    try:
        journey(agent, Browser(port, stats, deadline))
    except (JourneyError, OSError, http.client.HTTPException) as exc:
        stats.error(f"agent {agent.number} ({agent.kind}) : {exc}")


# --- checking and reporting ---------------------------------------------------------------------


def stored_differences(agents: list[Agent]) -> tuple[int, int, list[str]]:
    """(missing or different answers, unexpected answers, examples) over every agent."""
    from surveys.models import Answer, Response

    missing = unexpected = 0
    examples: list[str] = []
    for agent in agents:
        response = Response.objects.filter(collectivite_id=agent.collectivite_id).first()
        if response is None or response.status != Response.Status.SUBMITTED:
            missing += len(agent.expected)
            examples.append(f"agent {agent.number} : réponse absente ou non envoyée")
            continue
        stored = {
            (code, item): (value, other_text)
            for code, item, value, other_text in Answer.objects.filter(
                response=response
            ).values_list("question__code", "item", "value", "other_text")
        }
        for key, wanted in agent.expected.items():
            if stored.get(key) != wanted:
                missing += 1
                if len(examples) < 10:
                    examples.append(
                        f"agent {agent.number} {key} : envoyé {wanted}, stocké {stored.get(key)}"
                    )
        extra = set(stored) - set(agent.expected)
        unexpected += len(extra)
        if extra and len(examples) < 10:
            examples.append(f"agent {agent.number} : réponses inattendues {sorted(extra)[:5]}")
    return missing, unexpected, examples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(stats: Stats, elapsed: float, agents: int, workers: int) -> int:
    every = [t for timings in stats.timings.values() for t in timings]
    print(f"\n{agents} agents simultanés, gunicorn {workers} workers, {elapsed:.1f} s au total")
    print(f"{'requête':<18}{'nombre':>8}{'p50 (ms)':>10}{'p95 (ms)':>10}{'max (ms)':>10}")
    for kind, timings in list(stats.timings.items()) + [("toutes", every)]:
        if timings:
            print(
                f"{kind:<18}{len(timings):>8}{statistics.median(timings) * 1000:>10.0f}"
                f"{percentile(timings, 0.95) * 1000:>10.0f}{max(timings) * 1000:>10.0f}"
            )
    print(f"débit : {len(every) / elapsed:.1f} requêtes/s")
    print(f"erreurs : {len(stats.errors)}")
    for message in stats.errors[:10]:
        print(f"  {message}")
    return len(every)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=50, help="agents simultanés (50)")
    parser.add_argument("--workers", type=int, default=4, help="workers gunicorn (4)")
    parser.add_argument("--timeout", type=int, default=600, help="durée maximale en s (600)")
    parser.add_argument("--seed", type=int, default=2021, help="graine des réponses générées")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/baro_bench_answering",
        help="base PostgreSQL locale, recréée par le banc",
    )
    options = parser.parse_args(argv)
    if not 1 <= options.agents <= MAX_AGENTS:
        parser.error(f"--agents entre 1 et {MAX_AGENTS}")
    if not 1 <= options.workers <= 16:
        parser.error("--workers entre 1 et 16")
    started = time.monotonic()
    deadline = started + options.timeout

    port = free_port()
    env = server_environment(options.database_url, port)
    prepare_database(options.database_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    print(f"Préparation : base, édition {YEAR}, {options.agents} collectivités et invitations…")
    agents = prepare_agents(options.agents, options.seed)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db import connections

    connections.close_all()

    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    server = start_gunicorn(env, port, options.workers, log)
    stats = Stats()
    try:
        print(f"Parcours de {options.agents} agents contre http://127.0.0.1:{port}/ …")
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options.agents) as pool:
            futures = [pool.submit(run_agent, a, port, stats, deadline) for a in agents]
            _, pending = wait(futures, timeout=max(1.0, deadline - time.monotonic()))
            for future in pending:
                future.cancel()
        elapsed = time.perf_counter() - began
    finally:
        stop_gunicorn(server)
    report(stats, elapsed, options.agents, options.workers)
    missing, unexpected, examples = stored_differences(agents)
    sent = sum(len(agent.expected) for agent in agents)
    print(
        f"réponses envoyées : {sent}, manquantes ou différentes : {missing}, en trop : {unexpected}"
    )
    for example in examples:
        print(f"  {example}")
    return 0 if not stats.errors and not missing and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
