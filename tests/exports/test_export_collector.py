"""An export runs with Python's cyclic garbage collector paused (`jobs.collector_paused`), and
gives it back as it found it, whatever happens."""

import gc

import pytest

from exports.services.jobs import export_responses
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    return edition


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_runs_with_the_collector_paused_then_restores_it(edition, tmp_path, fmt):
    during: list[bool] = []
    rows = export_responses(
        edition, fmt, tmp_path / f"r.{fmt}", on_progress=lambda *_: during.append(gc.isenabled())
    )
    assert rows and during and not any(during)
    assert gc.isenabled()


def test_the_collector_is_back_after_a_failed_export(edition, tmp_path):
    def fail(*_):
        raise RuntimeError("interrompu")

    with pytest.raises(RuntimeError):
        export_responses(edition, "csv", tmp_path / "r.csv", on_progress=fail)
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused(edition, tmp_path):
    gc.disable()
    try:
        export_responses(edition, "csv", tmp_path / "r.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
