"""A collectivité's own answers next to the figures of similar collectivités."""

from exports.results.aggregates import (
    COUNTED_STATUSES,
    own_answers,
    own_indicators,
    peer_filters,
)
from exports.results.cache import get_results
from exports.results.disclosure import MIN_RESPONDENTS, suppress_results
from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.models import Collectivite
from surveys.models import Edition, Response
from surveys.rules import EditionRules, rules_of


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
    values = own_indicators(response)
    rules = rules_of(edition)
    return {
        "edition": peers["edition"],
        "collectivite": collectivite.name,
        "type": TYPES_COLLECTIVITE.get(filters.type, filters.type),
        "tranche": TRANCHE_LABELS.get(filters.tranche, "population inconnue"),
        "peers": peers["respondents"],
        "enough_peers": peers["respondents"] >= MIN_RESPONDENTS,
        "questions": [
            {**q, "own": own.get(q["code"]), "own_indicator": _own(q, rules, values)}
            for q in peers["questions"]
        ],
    }


def _own(question: dict, rules: EditionRules, values: dict) -> dict | None:
    """The collectivité's own value of the question's indicator (e.g. its € per inhabitant),
    shown even when the peers' figures are masked."""
    for indicator in rules.indicators_of(question["code"]):
        value = values.get(indicator.code)
        if value is not None:
            return {
                "label": indicator.label,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "value": float(value),
            }
    return None
