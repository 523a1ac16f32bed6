"""A collectivité's own answers next to the figures of comparable collectivités.

The peer group widens until it is large enough to show figures without singling anyone out:
same type and population bracket, then same type, then every collectivité that answered —
always leaving the collectivité itself out. Below the disclosure threshold even for all of
them, no peer figure is shown at all.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.template.defaultfilters import floatformat

from exports.results.aggregates import (
    COUNTED_STATUSES,
    ResultFilters,
    own_answers,
    own_indicators,
)
from exports.results.cache import get_results
from exports.results.disclosure import MIN_RESPONDENTS, suppress_results
from respondents.classification import (
    TRANCHES_POPULATION,
    TYPES_COLLECTIVITE,
    tranche_filter,
    tranche_population,
    type_filter,
)
from respondents.models import Collectivite
from surveys.models import Edition, Question, Response
from surveys.rules import EditionRules, rules_of

# The peer groups, narrowest first; "none" when even all the respondents are too few.
LEVEL_TRANCHE, LEVEL_TYPE, LEVEL_ALL, LEVEL_NONE = "tranche", "type", "all", "none"
# What a question's description keeps when the peers' figures are withheld.
DESCRIPTION_KEYS = ("code", "text", "type", "kind", "section", "unit", "roster")


@dataclass(frozen=True)
class PeerGroup:
    """The collectivités a benchmark compares with, and how the page names them."""

    level: str
    filters: ResultFilters
    peers: int
    description: str
    # Why the group is wider than the same type and bracket (empty when it is not).
    widening: str = ""

    @property
    def enough(self) -> bool:
        return self.level != LEVEL_NONE


def _number(value: int) -> str:
    """An integer with French thousands separators (`floatformat`, as the results pages)."""
    return floatformat(value, "g")


def _bracket_phrase(code: str) -> str:
    """« de 10 000 à 50 000 habitants », from the survey's population brackets."""
    for tranche, _label, low, high in TRANCHES_POPULATION:
        if tranche == code:
            if high is None:
                return f"de {_number(low)} habitants ou plus"
            if not low:
                return f"de moins de {_number(high)} habitants"
            return f"de {_number(low)} à {_number(high)} habitants"
    return ""


def _plural_type(code: str) -> str:
    """« communes », « intercommunalités »…: the survey's names of the types, in the plural."""
    return TYPES_COLLECTIVITE.get(code, code).lower() + "s"


def _describe(level: str, collectivite: Collectivite, peers: int) -> str:
    """« comparée à 37 communes de 10 000 à 50 000 habitants », or why there is no comparison."""
    count = _number(peers)
    kind = collectivite.type_collectivite
    if level == LEVEL_TRANCHE:
        tranche = tranche_population(collectivite.population) or ""
        return f"comparée à {count} {_plural_type(kind)} {_bracket_phrase(tranche)}"
    if level == LEVEL_TYPE:
        return f"comparée à {count} {_plural_type(kind)}"
    if level == LEVEL_ALL:
        return f"comparée à l'ensemble des {count} collectivités répondantes"
    return (
        f"Moins de {MIN_RESPONDENTS} autres collectivités ont répondu : aucun chiffre de "
        "comparaison ne peut être montré sans risquer de les reconnaître. Seules vos réponses "
        "sont affichées."
    )


def peer_group(
    edition: Edition, collectivite: Collectivite, threshold: int = MIN_RESPONDENTS
) -> PeerGroup:
    """The narrowest group holding at least `threshold` other counted respondents."""
    others = Response.objects.filter(edition=edition, status__in=COUNTED_STATUSES).exclude(
        collectivite=collectivite
    )
    kind = collectivite.type_collectivite
    tranche = tranche_population(collectivite.population)
    exclude = collectivite.pk
    candidates: list[tuple[str, ResultFilters, Q]] = []
    if tranche:
        candidates.append(
            (
                LEVEL_TRANCHE,
                ResultFilters(type=kind, tranche=tranche, exclude_collectivite=exclude),
                type_filter(kind, "collectivite__") & tranche_filter(tranche, "collectivite__"),
            )
        )
    candidates.append(
        (
            LEVEL_TYPE,
            ResultFilters(type=kind, exclude_collectivite=exclude),
            type_filter(kind, "collectivite__"),
        )
    )
    candidates.append((LEVEL_ALL, ResultFilters(exclude_collectivite=exclude), Q()))
    peers = 0
    widening = ""
    for level, filters, condition in candidates:
        peers = others.filter(condition).count()
        if peers >= threshold:
            return PeerGroup(level, filters, peers, _describe(level, collectivite, peers), widening)
        widening = _widening(level, collectivite, threshold)
    return PeerGroup(
        LEVEL_NONE,
        ResultFilters(exclude_collectivite=exclude),
        peers,
        _describe(LEVEL_NONE, collectivite, peers),
        widening,
    )


def _widening(too_small: str, collectivite: Collectivite, threshold: int) -> str:
    """Why the next group was tried, once the group `too_small` held too few respondents."""
    kind = _plural_type(collectivite.type_collectivite)
    if too_small == LEVEL_TRANCHE:
        bracket = _bracket_phrase(tranche_population(collectivite.population) or "")
        return (
            f"Moins de {threshold} autres {kind} {bracket} ont répondu : le groupe de "
            "comparaison a été élargi au même type de collectivité, toutes tailles confondues."
        )
    if too_small == LEVEL_TYPE:
        return (
            f"Moins de {threshold} autres {kind} ont répondu : le groupe de comparaison a été "
            "élargi à l'ensemble des collectivités répondantes, tous types confondus."
        )
    return ""


def _own_text(question: dict, value: str | Decimal | None) -> str | None:
    """The collectivité's answer as the page prints it: labels, French numbers, €."""
    if value is None or isinstance(value, str):
        return value
    if question["type"] == Question.Type.MONEY:
        return f"{floatformat(value, '-2g')} €"
    # As many decimals as the agent typed (0,5 ETP), at most two.
    exponent = int(value.normalize().as_tuple().exponent)
    return floatformat(value, f"{min(max(-exponent, 0), 2)}g")


def counted_response(edition: Edition, collectivite: Collectivite) -> Response | None:
    """The collectivité's response if it counts (sent or validated): only then a benchmark."""
    return (
        Response.objects.filter(
            edition=edition, collectivite=collectivite, status__in=COUNTED_STATUSES
        )
        .select_related("collectivite")
        .first()
    )


def benchmark(edition: Edition, collectivite: Collectivite) -> dict | None:
    """Its answers and its peers' figures (the widened peer group, itself left out).

    None when the collectivité has not submitted. Peers' figures go through small-cell
    suppression, and are withheld whole when no group is large enough.
    """
    response = counted_response(edition, collectivite)
    if response is None:
        return None
    group = peer_group(edition, collectivite)
    peers = suppress_results(get_results(edition, group.filters))
    questions = peers["questions"]
    if not group.enough:
        questions = [
            {**{k: q[k] for k in DESCRIPTION_KEYS if k in q}, "base": None, "hidden": True}
            for q in questions
        ]
    own = own_answers(response)
    values = own_indicators(response)
    rules = rules_of(edition)
    return {
        "edition": peers["edition"],
        "collectivite": collectivite.name,
        "type": TYPES_COLLECTIVITE.get(collectivite.type_collectivite, ""),
        "group": group,
        "peers": group.peers,
        "enough_peers": group.enough,
        "questions": [
            {
                **q,
                "own": _own_text(q, own.get(q["code"])),
                "own_indicator": _own(q, rules, values),
            }
            for q in questions
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
