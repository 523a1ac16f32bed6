"""The load bench's accounting, on a tiny run against the test server: every answer the agents
typed and the server acknowledged is found in the database, and a lost one is noticed."""

import asyncio
import random
import sys
from argparse import Namespace
from pathlib import Path

import pytest
from celery._state import task_join_will_block
from celery.result import allow_join_result

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load_answering as load  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def run(agents, port: int) -> load.Stats:
    stats = load.Stats()
    # Pauses of 0 to 20 s compressed 400 times: a few hundredths of a second.
    options = Namespace(window=2.0, think_min=0.0, think_max=20.0, compress=400.0, timeout=120)
    # Tasks run eagerly in the live server's threads, several at once: Celery's process-wide
    # "a join would block" flag, set and reset around each eager task, can be left set by two
    # interleaved threads, and a later test's `result.get()` would then refuse to wait.
    # `allow_join_result` puts it back as it was before the run.
    with allow_join_result():
        journeys = load.run_agents(agents, port, stats, options, random.Random(1))
        unfinished, _lag = asyncio.run(journeys)
    assert not task_join_will_block()
    assert unfinished == 0
    return stats


def test_three_agents_walk_the_journey_and_lose_no_answer(live_server, settings):
    # As behind production's TLS proxy: the client says https, so its Origin matches.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    agents = load.prepare_census(invitations=6, count=3, seed=7)
    stats = run(agents, int(live_server.url.rsplit(":", 1)[1]))

    assert stats.errors == []
    assert all(agent.submitted for agent in agents)
    assert load.submitted_in_database(agents) == 3
    typed, lost, unexpected, _examples = load.lost_answers(agents)
    assert typed == sum(len(agent.expected) for agent in agents) > 0
    assert (lost, unexpected) == (0, 0)
    figures = load.figures_of(stats)
    for page in ("lien (GET)", "sommaire", "section (GET)", "autosave", "relecture", "envoi"):
        assert figures[page]["count"] >= 3

    # An answer the server never stored is counted as lost.
    from surveys.models import Answer

    first = agents[0]
    code, item = next(iter(first.expected))
    Answer.objects.filter(
        response__collectivite_id=first.collectivite_id, question__code=code, item=item
    ).delete()
    assert load.lost_answers(agents)[1] == 1
