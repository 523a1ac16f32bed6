"""A collectivité's own answers next to the figures of similar collectivités."""

from exports.services.results import (
    COUNTED_STATUSES,
    own_answers,
    own_budget_per_inhabitant,
    peer_filters,
)
from exports.services.results_cache import get_results
from exports.services.results_privacy import MIN_RESPONDENTS, suppress_results
from respondents.models import Collectivite
from surveys.derived import TRANCHE_LABELS, TYPES_COLLECTIVITE
from surveys.models import Edition, Response


def benchmark(edition: Edition, collectivite: Collectivite) -> dict | None:
    """Its answers and its peers' figures (same type and population bracket, itself left out).

    None when the collectivité has not submitted. Peers' figures go through small-cell
    suppression: the benchmark is shown to the collectivité itself.
    """
    response = (
        Response.objects.filter(
            edition=edition, collectivite=collectivite, status__in=COUNTED_STATUSES
        )
        .select_related("collectivite")
        .first()
    )
    if response is None:
        return None
    filters = peer_filters(collectivite)
    peers = suppress_results(get_results(edition, filters))
    own = own_answers(response)
    per_inhabitant = own_budget_per_inhabitant(response)
    return {
        "edition": peers["edition"],
        "collectivite": collectivite.name,
        "type": TYPES_COLLECTIVITE.get(filters.type, filters.type),
        "tranche": TRANCHE_LABELS.get(filters.tranche, "population inconnue"),
        "peers": peers["respondents"],
        "enough_peers": peers["respondents"] >= MIN_RESPONDENTS,
        "questions": [{**q, "own": own.get(q["code"])} for q in peers["questions"]],
        "own_per_inhabitant": float(per_inhabitant) if per_inhabitant is not None else None,
    }
