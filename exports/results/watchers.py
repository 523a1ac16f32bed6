"""How the results follow the responses: connected to the answering's hooks and signals in
`ResultsConfig.ready()`, so that the layers below never import the results."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from barometre.tasks import enqueue_on_commit
from exports.results.cache import recompute
from exports.results.counts import COUNTED_STATUSES, rebuild, tracking
from exports.results.publication import freeze
from exports.results.representativeness import forget_referential
from exports.results.sheets import queue_results_sheets
from exports.results.tasks import recompute_all_results, schedule_recompute, send_results_sheets
from exports.services.opendata import is_public
from exports.tasks import build_opendata
from surveys.models import Edition, Response


@contextmanager
def track_status(response: Response, **_: Any) -> Iterator[None]:
    """Around a submission or a reopening: counts kept right, figures recomputed soon."""
    with tracking(response) as change:
        yield
    if change.affects_figures:
        schedule_recompute(response.edition_id)


@contextmanager
def track_answers(response: Response, **kwargs: Any) -> Iterator[None]:
    """Around a write of answers: only a counted response (a staff correction) moves figures;
    an agent's draft counts for nothing, so it costs no query here."""
    if response.status not in COUNTED_STATUSES:
        yield
        return
    with track_status(response, **kwargs):
        yield


def rebuild_after_load(sender: Any, edition: Edition, **_: Any) -> None:
    """Responses written in bulk (demo data, imports): recount the edition once."""
    rebuild(edition)


def recompute_after_definition_change(sender: Any, edition: Edition, **_: Any) -> None:
    """Labels, choices or rules (brackets, indicators) changed: the figures are computed again."""
    schedule_recompute(edition.pk)


def recompute_after_referential_change(sender: Any, **_: Any) -> None:
    """A collectivité moved to another cell (type, population, région): recount everything."""
    forget_referential()
    recompute_all_results.delay()


def send_sheets_at_publication(sender: Any, edition: Edition, publication: int, **_: Any) -> None:
    """Results published: each respondent's PDF sheet by e-mail, logged now, sent on commit."""
    if queue_results_sheets(edition, publication):
        enqueue_on_commit(send_results_sheets, edition.pk, publication)


def freeze_at_publication(sender: Any, edition: Edition, by: Any = None, **_: Any) -> None:
    """Results published (or republished): their public figures computed now and frozen as a
    new version, which the public page serves from then on."""
    freeze(edition, recompute(edition, errata=False), by)


def build_opendata_when_published(sender: Any, instance: Edition, **_: Any) -> None:
    """A published edition that declares open data (at publication, or saved again): its
    package is built in the background, ready before the first download."""
    if is_public(instance):
        enqueue_on_commit(build_opendata, instance.pk)
