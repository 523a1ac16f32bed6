"""Load test of the answering journey, run as production runs it.

    .venv/bin/python bench/load_answering.py --agents 200 --window 600
    .venv/bin/python bench/load_answering.py --census --compress 6

Production pieces, each a real process: gunicorn with the project's `gunicorn.conf.py` (sync
workers, access log), PostgreSQL, the Celery broker, its results and the Django cache on Redis
(databases 7, 8 and 9 by default), a Celery worker and beat, `DEBUG=0` behind a TLS proxy (the
client sends `X-Forwarded-Proto: https`, `Origin` on its POSTs and accepts gzip, as a browser
behind the proxy does).

The script recreates its own PostgreSQL database, migrates it, imports the 2021 edition and opens
its wave, then creates in bulk a synthetic referential of `--invitations` collectivités (France's
mix of régions, départements, métropoles, intercommunalités and communes), one contact, one
invitation and one magic link each, and draws the `--agents` who answer (bigger collectivités
more often), each with valid answers generated from the definitions (`surveys/synthetic.py`).

Each agent arrives at a random moment of the arrival window and walks the journey of a browser
with JavaScript: the magic link (GET, then POST), the overview, every section page in turn (GET;
while the agent types, one to three autosaves of what is typed so far; then the page's POST,
whose redirection leads to the next section), the review, the submission and the confirmation;
static files once, as a browser caches them. Between two pages the agent pauses a think time
drawn between `--think-min` and `--think-max` seconds (typing in a section happens during it).

`--compress K` divides the arrival window and every think time by K: the same journeys, K times
faster, so the request rate is K times the real one. `--census` is the census day: 36,000
invitations, 5,000 agents arriving within the first hour, 5 to 30 s between pages.

The client is one asyncio loop (raw HTTP/1.1 over asyncio streams: no thread per agent), so that
it takes little of the machine's CPU; its CPU time is reported apart. The CPU time of the gunicorn
workers, of the PostgreSQL backends of the database and of the Celery processes is read from
/proc during the run; it gives the CPU cost of a request and the request rate two cores sustain.

At the end it checks in the database that every answer an agent typed and the server
acknowledged (autosave or page save) is stored as typed, and nothing that was never sent (a
request the client gave up on may still have been saved), and prints p50, p95 and
p99 per kind of request, errors, lost answers and request rates. The exit status is 0 only when
there is no error, no lost answer and every p95 is under 100 ms. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import json
import math
import os
import random
import re
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
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
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/barometre_loadbench"
REDIS_URL = "redis://127.0.0.1:6379"
# Kinds of collectivités, in the Baromètre's usual proportions (small runs: `prepare_agents`).
KINDS = [
    ("commune", 0.6),
    ("intercommunalite", 0.2),
    ("departement", 0.1),
    ("metropole", 0.05),
    ("region", 0.05),
]
# The referential of a census: France's collectivités, per 36,000.
FRANCE = {"region": 18, "departement": 101, "metropole": 21, "intercommunalite": 1230}
# How much likelier than a commune each kind is to answer within the first hour.
ANSWER_WEIGHT = {
    "region": 8.0,
    "departement": 8.0,
    "metropole": 8.0,
    "intercommunalite": 3.0,
    "commune": 1.0,
}
CENSUS = {"invitations": 36_000, "agents": 5_000, "window": 3600.0, "think": (5.0, 30.0)}
# While typing in a section, an autosave goes out a few seconds after each pause: about one per
# this many seconds spent on the page, one to three per page.
SECONDS_PER_AUTOSAVE = 10.0
MAX_AUTOSAVES = 3
TARGET_P95 = 0.100
REQUEST_TIMEOUT = 60.0  # the proxy's and gunicorn's
# Kinds of request, in the order of the journey.
PAGES = [
    "lien (GET)",
    "lien (POST)",
    "sommaire",
    "section (GET)",
    "autosave",
    "section (POST)",
    "relecture",
    "envoi",
    "confirmation",
    "statique",
]


# --- setup: database, edition, collectivités, invitations -------------------------------------


def prepare_database(database_url: str, template: str | None = None) -> None:
    """Drop and create the bench database (on a loopback server only), as a copy of `template`
    when given."""
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
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{copy}')


def migrated_template(database_url: str, env: dict[str, str]) -> str:
    """A migrated empty database to copy (`CREATE DATABASE … TEMPLATE`), named after the
    migrations it holds: migrating anew takes half a minute, a copy a second."""
    import hashlib

    import psycopg

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/**/migrations/*.py")):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    parts = urlsplit(database_url)
    stem = parts.path.lstrip("/")
    template = f"{stem}_modele_{digest.hexdigest()[:10]}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{stem}_modele_%"]
            )
        ]
        for old in set(names) - {template}:
            connection.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    if template not in names:
        prepare_database(parts._replace(path=f"/{template}").geturl())
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
        try:
            subprocess.run(
                migrate,
                cwd=ROOT,
                env={**env, "DATABASE_URL": parts._replace(path=f"/{template}").geturl()},
                check=True,
            )
        except subprocess.CalledProcessError:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            raise
    return template


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic` (5 minutes on a loaded machine: every file hashed and compressed), only
    when the manifest is missing or older than a file of `static/`."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def server_environment(database_url: str, port: int) -> dict[str, str]:
    """Settings of a plain HTTP server without broker nor cache (`bench/answering_cpu.py` adds
    them); `production_environment` is the one of this bench."""
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


def production_environment(
    database_url: str, port: int, broker: str, cache: str, results: str
) -> dict[str, str]:
    """Production's variables (README, « Configuration »): DEBUG off, TLS proxy in front
    (HTTPS redirection on, secure cookies), broker, results and cache on Redis."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="barometre.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        SITE_URL=f"https://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="1",
        BEHIND_TLS_PROXY="1",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=results,
        CACHE_URL=cache,
        # Mail goes nowhere: the worker renders and "sends" it, nothing leaves the machine.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="Baromètre <barometre@banc.test>",
    )
    return env


@dataclass
class Agent:
    number: int
    token: str
    collectivite_id: int
    kind: str
    # {section code: POST fields}, and what must be stored: {(code, item): (value, other_text)}
    posts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    expected: dict[tuple[str, int], tuple] = field(default_factory=dict)
    # {section code: [(answers of one question, its POST fields)]}, in the page's order.
    typing: dict[str, list[tuple[list[tuple[str, int]], list[tuple[str, str]]]]] = field(
        default_factory=dict
    )
    # What the server acknowledged (autosave or page save): {section code: answers}.
    acknowledged: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # What it sent, acknowledged or not: {section code: answers}.
    sent: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    submitted: bool = False
    requests: int = 0


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


def open_edition():
    """The 2021 edition, imported and open; its questions by id and its compiled questionnaire."""
    from django.core.management import call_command
    from django.utils import timezone

    from surveys.definition import import_definition, load_definition
    from surveys.models import Edition, Question
    from surveys.synthetic import compile_questionnaire

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
    return edition, questions, compile_questionnaire(edition)


def give_answers(agent: Agent, questionnaire, questions, collectivite, rng) -> None:
    """The agent's answers, generated from the definitions, as it will type them."""
    from surveys.synthetic import generate_answers

    for question_id, item, value, _number, other_text in generate_answers(
        questionnaire, collectivite, rng
    ):
        question = questions[question_id]
        section = question.section.code
        fields = post_fields(question, value, other_text)
        agent.posts.setdefault(section, []).extend(fields)
        agent.typing.setdefault(section, []).append(([(question.code, item)], fields))
        agent.expected[(question.code, item)] = (value, other_text)


def prepare_agents(count: int, seed: int) -> list[Agent]:
    """The edition, one collectivité per agent, their invitations and the answers each agent
    will send (small runs, one object at a time: `bench/answering_cpu.py`)."""
    from django.utils import timezone

    from respondents.models import Contact, Invitation, MagicLink, hash_token

    edition, questions, questionnaire = open_edition()
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
        give_answers(agent, questionnaire, questions, collectivite, rng)
        agents.append(agent)
    return agents


def _referential_kinds(count: int) -> list[str]:
    """The kind of each collectivité of a referential of `count`: France's mix, scaled; a small
    referential cycles through the kinds, so that conditions go both ways."""
    if count < 200:
        order = ["commune", "intercommunalite", "departement", "metropole", "region"]
        return [order[n % len(order)] for n in range(count)]
    kinds: list[str] = []
    for kind, per_france in FRANCE.items():
        kinds += [kind] * max(1, round(count * per_france / 36_000))
    return kinds + ["commune"] * (count - len(kinds))


def _new_collectivite(number: int, kind: str, rng: random.Random):
    from respondents.models import Collectivite, normalise_name
    from respondents.regions import REGIONS

    low, high = {
        "commune": (50, 150_000),
        "intercommunalite": (5_000, 200_000),
        "metropole": (200_000, 1_500_000),
        "departement": (80_000, 2_600_000),
        "region": (300_000, 12_000_000),
    }[kind]
    nature, epci_type = {
        "commune": ("commune", ""),
        "intercommunalite": ("epci", rng.choice(["CC", "CC", "CC", "CA", "CU"])),
        "metropole": ("epci", "METRO"),
        "departement": ("departement", ""),
        "region": ("region", ""),
    }[kind]
    name = f"Collectivité de charge {number:05d}"
    return Collectivite(
        kind=nature,
        epci_type=epci_type,
        code=f"L{number:05d}",
        name=name,
        search_name=normalise_name(name),
        population=int(math.exp(rng.uniform(math.log(low), math.log(high)))),
        departement_code=f"{rng.randint(1, 95):02d}",
        region_code=rng.choice(list(REGIONS)),
    )


def prepare_census(invitations: int, count: int, seed: int) -> list[Agent]:
    """A referential of `invitations` collectivités, each invited with a magic link (bulk
    inserts), and the `count` agents who answer, bigger collectivités more likely."""
    from django.db import connection
    from django.utils import timezone

    from respondents.models import Collectivite, Contact, Invitation, MagicLink, hash_token

    edition, questions, questionnaire = open_edition()
    rng = random.Random(seed)
    kinds = _referential_kinds(invitations)
    collectivites = Collectivite.objects.bulk_create(
        [_new_collectivite(n, kind, rng) for n, kind in enumerate(kinds, start=1)],
        batch_size=5000,
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(collectivite=c, email=f"agent{n:05d}@collectivite-charge.test")
            for n, c in enumerate(collectivites, start=1)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    sent = Invitation.objects.bulk_create(
        [
            Invitation(edition=edition, collectivite=c, contact=contact, sent_at=now)
            for c, contact in zip(collectivites, contacts, strict=True)
        ],
        batch_size=5000,
    )
    secret = secrets.token_urlsafe(24)
    tokens = [f"charge-{n:05d}-{secret}" for n in range(1, invitations + 1)]
    expires_at = edition.closes_at + timedelta(days=7)
    MagicLink.objects.bulk_create(
        [
            MagicLink(invitation=invitation, token_hash=hash_token(token), expires_at=expires_at)
            for invitation, token in zip(sent, tokens, strict=True)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # production tables have planner statistics

    # Efraimidis–Spirakis: `count` distinct collectivités, each kind at its weight.
    keyed = sorted(
        range(invitations),
        key=lambda n: rng.random() ** (1.0 / ANSWER_WEIGHT[kinds[n]]),
        reverse=True,
    )
    agents = []
    for number, n in enumerate(keyed[:count], start=1):
        agent = Agent(number, tokens[n], collectivites[n].pk, kinds[n])
        give_answers(agent, questionnaire, questions, collectivites[n], rng)
        agents.append(agent)
    return agents


# --- the servers --------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, log: Path, options: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn on the loopback (its configuration: `gunicorn.conf.py` of the working directory,
    unless `options` name another), ready to answer; `options`: more command-line options."""
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
    process.log_file = log_file  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté au démarrage :\n" + log.read_text())
        try:
            # /healthz: exempt from the HTTPS redirection, answers once the database does.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(process)
    raise SystemExit("gunicorn ne répond pas après 60 s :\n" + log.read_text())


def stop_gunicorn(process: subprocess.Popen) -> None:
    stop_process(process)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log_file = getattr(process, "log_file", None)
    if log_file is not None:
        log_file.close()


def start_celery(env: dict, log: Path, concurrency: int, schedule: Path) -> list:
    """The Celery worker and beat of docker-compose.yml; returns once the worker is ready."""
    celery = str(Path(sys.executable).with_name("celery"))
    processes = []
    for role, options in (
        (
            "worker",
            [f"--concurrency={concurrency}", "--max-tasks-per-child=200", "--without-gossip"],
        ),
        ("beat", [f"--schedule={schedule}"]),
    ):
        role_log = log.with_name(f"{log.stem}-{role}.log")
        log_file = open(role_log, "w")  # closed in stop_process
        process = subprocess.Popen(
            [celery, "-A", "barometre", role, "--loglevel=INFO", *options],
            cwd=ROOT,
            # As the worker service of docker-compose.yml: its tasks yield the CPU to the pages.
            env={**env, "WORKER_NICENESS": "10", "WORKER_SCHED_IDLE": "1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        process.log_file = log_file  # type: ignore[attr-defined]
        processes.append(process)
    worker_log = log.with_name(f"{log.stem}-worker.log")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if " ready." in worker_log.read_text():
            return processes
        if any(process.poll() is not None for process in processes):
            break
        time.sleep(0.5)
    for process in processes:
        stop_process(process)
    raise SystemExit("le worker Celery ne démarre pas :\n" + worker_log.read_text()[-3000:])


def flush_redis(urls: list[str]) -> None:
    """Empty this bench's Redis databases (its own numbers only)."""
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


# --- CPU of the processes, read from /proc ------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> tuple[float, float] | None:
    """(user + system CPU seconds, seconds spent ready to run but waiting for a core) of a
    single-threaded process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/schedstat") as schedstat:
            waited = int(schedstat.read().split()[1]) / 1e9
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS, waited


def descendants(roots: list[int]) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children[parent].append(int(entry))
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuSampler(threading.Thread):
    """Every second, the CPU time of each process of each group (gunicorn, Celery, the
    PostgreSQL backends of the bench's database), and its time waiting for a core (run queue,
    /proc/<pid>/schedstat). A process is counted from its first sight (from the start for those
    already there), up to its last sight."""

    def __init__(self, roots: dict[str, list[int]], database_url: str):
        super().__init__(daemon=True)
        self.roots = roots
        self.database = urlsplit(database_url).path.lstrip("/")
        self.admin_url = urlsplit(database_url)._replace(path="/postgres").geturl()
        self.first: dict[int, tuple[float, float]] = {}
        self.last: dict[int, tuple[float, float]] = {}
        self.group: dict[int, str] = {}
        self.halt = threading.Event()
        self.ready = threading.Event()

    def pids(self, cursor) -> dict[str, set[int]]:
        groups = {name: descendants(roots) for name, roots in self.roots.items()}
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.database],
        )
        groups["postgresql"] = {pid for (pid,) in cursor.fetchall()}
        return groups

    def sample(self, cursor, starting: bool) -> None:
        for name, pids in self.pids(cursor).items():
            for pid in pids:
                cpu = process_cpu(pid)
                if cpu is None:
                    continue
                if pid not in self.first:
                    self.first[pid] = cpu if starting else (0.0, 0.0)
                    self.group[pid] = name
                self.last[pid] = cpu

    def run(self) -> None:
        import psycopg

        # Connected to another database, so as not to count itself among the backends.
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            cursor = connection.cursor()
            self.sample(cursor, starting=True)
            self.ready.set()
            while not self.halt.wait(1.0):
                self.sample(cursor, starting=False)
            self.sample(cursor, starting=False)

    def stop(self) -> dict[str, float]:
        """{group: CPU seconds, "group (attente)": seconds waiting for a core}."""
        self.halt.set()
        self.join()
        totals: dict[str, float] = defaultdict(float)
        for pid, name in self.group.items():
            totals[name] += self.last[pid][0] - self.first[pid][0]
            totals[f"{name} (attente)"] += self.last[pid][1] - self.first[pid][1]
        return dict(totals)


# --- the agents ---------------------------------------------------------------------------------


class JourneyError(Exception):
    pass


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (kind, seconds from the start to its answer, duration) of every request, for the rates.
    log: list[tuple[str, float, float]] = field(default_factory=list)
    origin: float = field(default_factory=time.perf_counter)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.timings[kind].append(seconds)
            self.log.append((kind, time.perf_counter() - self.origin, seconds))

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
SECTION_LINK = re.compile(rf'href="/repondre/{YEAR}/section/([\w-]+)/"')
SECTION_PATH = re.compile(rf"/repondre/{YEAR}/section/([\w-]+)/")
CONFIRM_INPUT = re.compile(r'name="confirm" value="([^"]+)"')
STATIC_FILE = re.compile(r'(?:href|src)="(/static/[^"]+)"')
FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>([^<]+)</p>')


class Browser:
    """One agent's blocking HTTP client (`bench/answering_cpu.py`): its own cookies, no automatic
    redirects, every request timed."""

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


class AsyncBrowser:
    """One agent's browser behind the TLS proxy: its cookies and cached static files, one
    connection per request (gunicorn's sync workers close it), gzip accepted."""

    def __init__(self, port: int, stats: Stats):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.cached: set[str] = set()
        self.requests = 0

    async def request(
        self,
        kind: str,
        method: str,
        target: str,
        fields: list[tuple[str, str]] | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        headers = {
            "Host": self.host,
            "User-Agent": "banc-de-charge/1 (load_answering.py)",
            "Accept-Encoding": "gzip",
            "X-Forwarded-Proto": "https",
            "Connection": "close",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = b""
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
        if method == "POST":
            headers["Content-Length"] = str(len(body))
        headers.update(extra or {})
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        started = time.perf_counter()
        status, received, raw = await asyncio.wait_for(
            self._exchange(head.encode("latin-1") + b"\r\n" + body), REQUEST_TIMEOUT
        )
        self.stats.record(kind, time.perf_counter() - started)
        self.requests += 1
        answer: dict[str, str] = {}
        for name, value in received:
            if name == "set-cookie":
                for cookie, morsel in SimpleCookie(value).items():
                    self.cookies[cookie] = morsel.value
            answer[name] = value
        if answer.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8", "replace") if not target.startswith("/static/") else ""
        return status, answer, text

    async def _exchange(self, request: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(request)
            await writer.drain()
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = []
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers.append((name.strip().lower(), value.strip()))
            lookup = dict(headers)
            if "content-length" in lookup:
                body = await reader.readexactly(int(lookup["content-length"]))
            elif lookup.get("transfer-encoding", "").lower() == "chunked":
                body = b""
                while size := int((await reader.readline()).split(b";")[0], 16):
                    body += await reader.readexactly(size)
                    await reader.readline()
            else:
                body = await reader.read()
            return status, headers, body
        finally:
            writer.close()

    async def page(self, kind: str, target: str, expected: int = 200) -> tuple[dict, str]:
        """A page as a browser opens it: then its static files not yet in its cache."""
        status, headers, text = await self.request(kind, "GET", target)
        if status != expected:
            raise JourneyError(f"GET {target} : {status} au lieu de {expected}")
        wanted = [path for path in dict.fromkeys(STATIC_FILE.findall(text))]
        wanted = [path for path in wanted if path not in self.cached]
        self.cached.update(wanted)
        results = await asyncio.gather(*(self.request("statique", "GET", p) for p in wanted))
        for path, (got, _, _) in zip(wanted, results, strict=True):
            if got != 200:
                raise JourneyError(f"GET {path} : {got} au lieu de 200")
        return headers, text

    async def post(
        self, kind: str, target: str, fields: list[tuple[str, str]], expected: int, **extra: str
    ) -> tuple[dict, str]:
        status, headers, text = await self.request(kind, "POST", target, fields, extra)
        if status != expected:
            errors = FIELD_ERROR.findall(text)[:5] if kind != "autosave" else text[:300]
            raise JourneyError(f"POST {target} : {status} au lieu de {expected} {errors}")
        return headers, text


@dataclass
class Pace:
    """Think times drawn between `low` and `high` seconds, all durations divided by `compress`."""

    low: float
    high: float
    compress: float
    rng: random.Random

    def draw(self) -> float:
        return self.rng.uniform(self.low, self.high)

    async def wait(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds / self.compress)

    async def think(self) -> None:
        await self.wait(self.draw())


def _location(headers: dict[str, str]) -> str:
    parts = urlsplit(headers.get("location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def census_journey(agent: Agent, browser: AsyncBrowser, pace: Pace) -> None:
    """Everything an agent does, from the e-mail's link to the confirmation page."""
    link = f"/acces/{agent.token}/"
    _, page = await browser.page("lien (GET)", link)
    csrf = _one(CSRF_INPUT, page, "jeton CSRF", link)
    await pace.think()
    headers, _ = await browser.post("lien (POST)", link, [("csrfmiddlewaretoken", csrf)], 302)
    home = f"/repondre/{YEAR}/"
    if _location(headers) != home:
        raise JourneyError(f"le lien mène à {_location(headers)} au lieu de {home}")
    _, page = await browser.page("sommaire", home)
    sections = list(dict.fromkeys(SECTION_LINK.findall(page)))
    if not sections:
        raise JourneyError("aucune section dans le sommaire")
    await pace.think()

    target = f"/repondre/{YEAR}/section/{sections[0]}/"
    visited: list[str] = []
    while match := SECTION_PATH.fullmatch(urlsplit(target).path):
        code = match.group(1)
        if code in visited:
            raise JourneyError(f"section {code} proposée deux fois")
        visited.append(code)
        path = match.group(0)
        _, page = await browser.page("section (GET)", target)
        csrf = _one(CSRF_INPUT, page, "jeton CSRF", path)
        version = _one(VERSION_INPUT, page, "version", path)
        typing = agent.typing.get(code, [])
        dwell = pace.draw()
        saves = min(len(typing), MAX_AUTOSAVES, max(1, round(dwell / SECONDS_PER_AUTOSAVE)))
        spent = 0.0
        for number in range(1, saves + 1):
            moment = dwell * number / (saves + 1)
            await pace.wait(moment - spent)
            spent = moment
            typed = typing[: math.ceil(len(typing) * number / saves)]
            fields = [f for _, question_fields in typed for f in question_fields]
            agent.sent[code] = [key for keys, _ in typed for key in keys]
            _, text = await browser.post(
                "autosave",
                f"{path}autosave/",
                [("csrfmiddlewaretoken", csrf), ("version", version), *fields],
                200,
                **{"X-CSRFToken": csrf, "Accept": "application/json", "Referer": target},
            )
            saved = json.loads(text)
            if not saved.get("ok"):
                raise JourneyError(f"enregistrement automatique refusé : {text[:300]}")
            version = str(saved["version"])
            agent.acknowledged[code] = [key for keys, _ in typed for key in keys]
        await pace.wait(dwell - spent)
        fields = [f for _, question_fields in typing for f in question_fields]
        agent.sent[code] = [key for keys, _ in typing for key in keys]
        headers, _ = await browser.post(
            "section (POST)",
            target,
            [("csrfmiddlewaretoken", csrf), ("version", version), *fields, ("action", "continue")],
            302,
        )
        agent.acknowledged[code] = [key for keys, _ in typing for key in keys]
        target = _location(headers)

    skipped = set(agent.typing) - set(visited)
    if skipped:
        raise JourneyError(f"sections à remplir jamais proposées : {sorted(skipped)}")
    review = f"/repondre/{YEAR}/relecture/"
    if urlsplit(target).path != review:
        raise JourneyError(f"la dernière section mène à {target} au lieu de {review}")
    _, page = await browser.page("relecture", target)
    fields = [
        ("csrfmiddlewaretoken", _one(CSRF_INPUT, page, "jeton CSRF", review)),
        ("version", _one(VERSION_INPUT, page, "version", review)),
        *[("confirm", code) for code in CONFIRM_INPUT.findall(page)],
    ]
    await pace.think()
    headers, _ = await browser.post("envoi", review, fields, 302)
    await browser.page("confirmation", _location(headers))
    agent.submitted = True


async def run_agents(
    agents: list[Agent], port: int, stats: Stats, options, rng: random.Random
) -> tuple[int, float]:
    """Every agent at its arrival time; returns (agents still walking at the deadline, loop
    lag p99 in seconds: how late the client itself woke up)."""
    lags: list[float] = []
    stop = asyncio.Event()

    async def watch_lag() -> None:
        shown = time.perf_counter()
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.1)
            lags.append(time.perf_counter() - before - 0.1)
            if before - shown >= 60:
                shown = before
                now = before - stats.origin
                recent = [d for _, t, d in stats.log[-20000:] if t > now - 60]
                print(
                    f"  {now:5.0f} s : {len(stats.log)} requêtes, "
                    f"{len(recent) / 60:.1f}/s dans la dernière minute, p95 "
                    f"{percentile(recent, 0.95) * 1000 if recent else 0:.0f} ms, "
                    f"{sum(a.submitted for a in agents)} envois, {len(stats.errors)} erreurs",
                    flush=True,
                )

    async def one(agent: Agent, arrival: float, seed: int) -> None:
        await asyncio.sleep(arrival / options.compress)
        pace = Pace(options.think_min, options.think_max, options.compress, random.Random(seed))
        browser = AsyncBrowser(port, stats)
        try:
            await census_journey(agent, browser, pace)
        except (JourneyError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
            stats.error(f"agent {agent.number} ({agent.kind}) : {type(exc).__name__} {exc}")
        except TimeoutError:
            stats.error(f"agent {agent.number} ({agent.kind}) : pas de réponse en 60 s")
        finally:
            agent.requests = browser.requests

    arrivals = [rng.uniform(0, options.window) for _ in agents]
    lag_task = asyncio.create_task(watch_lag())
    tasks = [
        asyncio.create_task(one(agent, arrival, rng.randrange(2**32)))
        for agent, arrival in zip(agents, arrivals, strict=True)
    ]
    _, pending = await asyncio.wait(tasks, timeout=options.timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    stop.set()
    await lag_task
    return len(pending), percentile(lags, 0.99) if lags else 0.0


# --- checking and reporting ---------------------------------------------------------------------


def lost_answers(agents: list[Agent]) -> tuple[int, int, int, list[str]]:
    """(answers typed and acknowledged by the server, of them not stored as typed, stored
    answers never sent, examples): read back from the database after the run."""
    from surveys.models import Answer

    stored: dict[int, dict[tuple[str, int], tuple]] = defaultdict(dict)
    rows = Answer.objects.filter(
        response__edition__year=YEAR,
        response__collectivite_id__in=[agent.collectivite_id for agent in agents],
    ).values_list("response__collectivite_id", "question__code", "item", "value", "other_text")
    for collectivite, code, item, value, other_text in rows.iterator(chunk_size=5000):
        stored[collectivite][(code, item)] = (value, other_text)
    typed = lost = unexpected = 0
    examples: list[str] = []
    for agent in agents:
        found = stored.get(agent.collectivite_id, {})
        keys = {key for section in agent.acknowledged.values() for key in section}
        sent = keys | {key for section in agent.sent.values() for key in section}
        for key in keys:
            typed += 1
            if found.get(key) != agent.expected[key]:
                lost += 1
                if len(examples) < 10:
                    examples.append(
                        f"agent {agent.number} {key} : saisi {agent.expected[key]}, "
                        f"stocké {found.get(key)}"
                    )
        extra = set(found) - sent
        unexpected += len(extra)
        if extra and len(examples) < 10:
            examples.append(f"agent {agent.number} : réponses inattendues {sorted(extra)[:5]}")
    return typed, lost, unexpected, examples


def submitted_in_database(agents: list[Agent]) -> int:
    from surveys.models import Response

    return Response.objects.filter(
        edition__year=YEAR,
        collectivite_id__in=[agent.collectivite_id for agent in agents],
        status__in=Response.COUNTED_STATUSES,
    ).count()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures_of(stats: Stats) -> dict[str, dict[str, float]]:
    figures = {}
    for kind in PAGES + sorted(set(stats.timings) - set(PAGES)):
        timings = stats.timings.get(kind)
        if timings:
            figures[kind] = {
                "count": len(timings),
                "p50_ms": statistics.median(timings) * 1000,
                "p95_ms": percentile(timings, 0.95) * 1000,
                "p99_ms": percentile(timings, 0.99) * 1000,
                "max_ms": max(timings) * 1000,
            }
    return figures


def per_minute(stats: Stats, span: float) -> list[tuple[int, int, int]]:
    """(start, requests answered, their p95 in ms) of each minute of the run (of each tenth of
    a short run)."""
    step = 60.0 if span >= 300 else max(1.0, span / 10)
    buckets: dict[int, list[float]] = defaultdict(list)
    for _, started, seconds in stats.log:
        buckets[int(started // step)].append(seconds)
    return [
        (int(index * step), len(buckets[index]), round(percentile(buckets[index], 0.95) * 1000))
        for index in sorted(buckets)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--census",
        action="store_true",
        help="jour du recensement : 36 000 invitations, 5 000 agents dans la première heure, "
        "5 à 30 s entre deux pages (les options données en plus l'emportent)",
    )
    parser.add_argument("--agents", type=int, help="agents qui répondent (50 ; 5 000 en --census)")
    parser.add_argument(
        "--invitations", type=int, help="collectivités invitées (= agents ; 36 000 en --census)"
    )
    parser.add_argument(
        "--window", type=float, help="fenêtre des arrivées, en s réelles (60 ; 3 600 en --census)"
    )
    parser.add_argument("--think-min", type=float, help="pause minimale entre deux pages (5 s)")
    parser.add_argument("--think-max", type=float, help="pause maximale entre deux pages (30 s)")
    parser.add_argument(
        "--compress",
        type=float,
        default=1.0,
        help="facteur de compression du temps : arrivées et pauses divisées par lui, le débit "
        "demandé multiplié par lui (1)",
    )
    parser.add_argument("--workers", type=int, default=3, help="workers gunicorn (3, compose)")
    parser.add_argument("--concurrency", type=int, default=2, help="processus Celery (2)")
    parser.add_argument("--timeout", type=float, help="arrêt au bout de ce temps (calculé)")
    parser.add_argument("--seed", type=int, default=2021, help="graine (2021)")
    parser.add_argument("--database-url", default=DATABASE_URL, help="recréée par le banc")
    parser.add_argument("--redis", default=REDIS_URL, help="serveur Redis (redis://127.0.0.1:6379)")
    parser.add_argument(
        "--redis-dbs", default="7,8,9", help="bases Redis broker,cache,résultats (7,8,9)"
    )
    parser.add_argument("--json", type=Path, help="écrire aussi les chiffres dans ce fichier")
    options = parser.parse_args(argv)
    preset = CENSUS if options.census else {"agents": 50, "window": 60.0, "think": (5.0, 30.0)}
    options.agents = options.agents or preset["agents"]
    options.invitations = options.invitations or preset.get("invitations", options.agents)
    options.window = preset["window"] if options.window is None else options.window
    options.think_min = preset["think"][0] if options.think_min is None else options.think_min
    options.think_max = preset["think"][1] if options.think_max is None else options.think_max
    if not 1 <= options.agents <= options.invitations <= 100_000:
        parser.error("1 ≤ --agents ≤ --invitations ≤ 100 000")
    if not 0 <= options.think_min <= options.think_max or options.compress <= 0:
        parser.error("pauses : 0 ≤ min ≤ max ; --compress > 0")
    if not 1 <= options.workers <= 16:
        parser.error("--workers entre 1 et 16")
    if options.timeout is None:
        options.timeout = (options.window + 20 * options.think_max) / options.compress + 300
    broker, cache, results = (
        f"{options.redis.rstrip('/')}/{number}" for number in options.redis_dbs.split(",")
    )
    if urlsplit(options.redis).hostname not in LOOPBACK:
        parser.error("Redis local seulement")

    port = free_port()
    env = production_environment(options.database_url, port, broker, cache, results)
    began = time.perf_counter()
    print(
        f"Préparation : base, édition {YEAR}, {options.invitations} collectivités invitées, "
        f"{options.agents} agents…",
        flush=True,
    )
    prepare_database(options.database_url, migrated_template(options.database_url, env))
    flush_redis([broker, cache, results])
    collect_static(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    agents = prepare_census(options.invitations, options.agents, options.seed)
    connections.close_all()
    prepared = time.perf_counter() - began
    mix = defaultdict(int)
    for agent in agents:
        mix[agent.kind] += 1
    print(
        f"  prête en {prepared:.0f} s ; agents : "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(mix.items())),
        flush=True,
    )

    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    log = var / "loadbench-gunicorn.log"
    celery = start_celery(env, log, options.concurrency, var / "loadbench-celerybeat-schedule")
    try:
        server = start_gunicorn(env, port, options.workers, log, ("--access-logfile", "-"))
    except BaseException:
        for process in celery:
            stop_process(process)
        raise
    stats = Stats()
    sampler = CpuSampler(
        {"gunicorn": [server.pid], "celery": [p.pid for p in celery]}, options.database_url
    )
    load_before = os.getloadavg()
    try:
        sampler.start()
        sampler.ready.wait()
        busy_before, total_before = machine_cpu()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        stats.origin = time.perf_counter()
        print(
            f"Parcours contre http://127.0.0.1:{port}/ (gunicorn {options.workers} workers, "
            f"Celery {options.concurrency} + beat) ; compression ×{options.compress:g}…",
            flush=True,
        )
        unfinished, loop_lag = asyncio.run(
            run_agents(agents, port, stats, options, random.Random(options.seed + 1))
        )
        elapsed = time.perf_counter() - stats.origin
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        busy_after, total_after = machine_cpu()
    finally:
        stop_gunicorn(server)
        for process in celery:
            stop_process(process)
        cpu = sampler.stop() if sampler.is_alive() else {}
    load_after = os.getloadavg()

    typed, lost, unexpected, examples = lost_answers(agents)
    submitted = submitted_in_database(agents)
    figures = figures_of(stats)
    requests = sum(len(t) for t in stats.timings.values())
    pages = requests - len(stats.timings.get("statique", []))
    client_cpu = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    server_cpu = cpu.get("gunicorn", 0.0) + cpu.get("postgresql", 0.0) + cpu.get("celery", 0.0)
    per_request = server_cpu / requests if requests else 0.0
    journeys = [a for a in agents if a.submitted]
    per_journey = statistics.mean(a.requests for a in journeys) if journeys else 0.0
    sustained = 2 / per_request if per_request else 0.0
    census_rate = per_journey * CENSUS["agents"] / CENSUS["window"]
    machine_busy = (busy_after - busy_before) / max(1, total_after - total_before)
    minutes = per_minute(stats, elapsed)
    active = [count for _, count, _ in minutes]
    step = 60.0 if elapsed >= 300 else max(1.0, elapsed / 10)

    print(
        f"\n{options.agents} agents sur {options.invitations} invitations, arrivées sur "
        f"{options.window:g} s, pauses {options.think_min:g}–{options.think_max:g} s, "
        f"compression ×{options.compress:g} : {elapsed:.0f} s de parcours"
    )
    print(f"{'requête':<16}{'nombre':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in figures.items():
        print(
            f"{kind:<16}{row['count']:>8}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
            f"{row['p99_ms']:>9.0f}{row['max_ms']:>9.0f}"
            + ("" if row["p95_ms"] < TARGET_P95 * 1000 else "   p95 > 100 ms")
        )
    print(
        f"débit obtenu : {requests / elapsed:.1f} requêtes/s en moyenne "
        f"({pages / elapsed:.1f} pages/s hors fichiers statiques), pointe "
        f"{max(active, default=0) / step:.1f} requêtes/s sur {step:.0f} s ; "
        f"{per_journey:.1f} requêtes par parcours"
    )
    print(f"par tranche de {step:.0f} s (début, requêtes, p95 ms) : {minutes}")
    print(
        f"CPU pendant le parcours : workers gunicorn {cpu.get('gunicorn', 0):.1f} s, "
        f"PostgreSQL (connexions de la base) {cpu.get('postgresql', 0):.1f} s, "
        f"Celery {cpu.get('celery', 0):.1f} s ; client {client_cpu:.1f} s (à part ; retard "
        f"p99 de sa boucle {loop_lag * 1000:.0f} ms)"
    )
    print(
        f"  attente d'un cœur libre (file d'exécution) : workers gunicorn "
        f"{cpu.get('gunicorn (attente)', 0):.1f} s, PostgreSQL "
        f"{cpu.get('postgresql (attente)', 0):.1f} s, Celery {cpu.get('celery (attente)', 0):.1f} s"
    )
    print(
        f"  soit {server_cpu / elapsed:.2f} cœur pour le serveur en moyenne ; Celery par envoi "
        f"{cpu.get('celery', 0) / submitted if submitted else 0:.2f} s"
    )
    print(
        f"CPU serveur par requête : {per_request * 1000:.1f} ms → deux cœurs soutiennent "
        f"≈ {sustained:.0f} requêtes/s, soit ≈ "
        f"{sustained / per_journey * 3600 if per_journey else 0:.0f} parcours par heure ; "
        f"le recensement (5 000 parcours dans l'heure) demande ≈ {census_rate:.0f} requêtes/s"
    )
    print(
        f"machine : {machine_busy * 200:.0f} % de 2 cœurs occupés (tous processus), charge "
        f"moyenne {load_before[0]:.2f} au début, {load_after[0]:.2f} à la fin"
    )
    print(
        f"parcours finis : {len(journeys)} / {options.agents} (envoyées en base : {submitted}) ; "
        f"inachevés à l'échéance : {unfinished}"
    )
    print(f"erreurs : {len(stats.errors)}")
    for message in stats.errors[:10]:
        print(f"  {message}")
    print(f"réponses saisies et accusées : {typed}, perdues : {lost}, en trop : {unexpected}")
    for example in examples:
        print(f"  {example}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "options": {
                        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()
                    },
                    "elapsed_s": elapsed,
                    "pages": figures,
                    "requests": requests,
                    "rate": requests / elapsed,
                    "peak_rate": max(active, default=0) / step,
                    "per_step": minutes,
                    "cpu_s": {**cpu, "client": client_cpu},
                    "server_cpu_ms_per_request": per_request * 1000,
                    "sustained_rate_two_cores": sustained,
                    "requests_per_journey": per_journey,
                    "census_rate": census_rate,
                    "server_cores": server_cpu / elapsed,
                    "machine_busy_share": machine_busy,
                    "load": [load_before[0], load_after[0]],
                    "finished": len(journeys),
                    "submitted_in_database": submitted,
                    "unfinished": unfinished,
                    "errors": stats.errors,
                    "typed": typed,
                    "lost": lost,
                    "unexpected": unexpected,
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    fast = all(row["p95_ms"] < TARGET_P95 * 1000 for row in figures.values())
    complete = len(journeys) == options.agents == submitted
    return 0 if fast and complete and not stats.errors and not lost and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
