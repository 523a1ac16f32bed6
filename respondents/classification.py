"""How the survey classifies a collectivité: its type, population bracket and région.

The same rules are needed in three spellings — Python on one collectivité, an ORM filter, and
SQL on the `respondents_collectivite` table (alias `c`) for the results' counts — so they sit
side by side here, built from the same constants, and a test checks that they agree.
"""

from __future__ import annotations

from django.db.models import Q

# The referential's natures and the EPCI legal forms the survey counts as métropoles.
KIND_EPCI = "epci"
METROPOLE_EPCI_TYPES = ("METRO", "MET69")

# The survey's `type_collectivite` codes, in the order the barometer lists them.
TYPES_COLLECTIVITE = {
    "commune": "Commune",
    "intercommunalite": "Intercommunalité",
    "metropole": "Métropole",
    "departement": "Département",
    "region": "Région",
}

# (code, label, lower bound inclusive, upper bound exclusive), in increasing order.
TRANCHES_POPULATION = [
    ("lt5k", "Moins de 5 000", 0, 5_000),
    ("5k_10k", "De 5 000 à 10 000", 5_000, 10_000),
    ("10k_50k", "De 10 000 à 50 000", 10_000, 50_000),
    ("50k_100k", "De 50 000 à 100 000", 50_000, 100_000),
    ("100k_500k", "De 100 000 à 500 000", 100_000, 500_000),
    ("500k_1m", "De 500 000 à 1 million", 500_000, 1_000_000),
    ("gt1m", "Plus d'un million", 1_000_000, None),
]
TRANCHE_LABELS = {code: label for code, label, _, _ in TRANCHES_POPULATION}

# The EPCI legal forms, short and long, for the small print beside "Intercommunalité".
EPCI_FORMS = {
    "CC": ("CC", "Communauté de communes"),
    "CA": ("CA", "Communauté d'agglomération"),
    "CU": ("CU", "Communauté urbaine"),
    "METRO": ("Métropole", "Métropole"),
    "MET69": ("Métropole de Lyon", "Métropole de Lyon"),
}


# --- Python, on one collectivité -------------------------------------------------------------


def type_collectivite(kind: str, epci_type: str) -> str:
    """The survey's `type_collectivite` code of a collectivité of this nature and EPCI form."""
    if kind == KIND_EPCI:
        return "metropole" if epci_type in METROPOLE_EPCI_TYPES else "intercommunalite"
    return kind


def type_label(kind: str, epci_type: str) -> str:
    """The survey's word for a collectivité's kind (Commune, Intercommunalité, Métropole…)."""
    code = type_collectivite(kind, epci_type)
    return TYPES_COLLECTIVITE.get(code, code)


def epci_form(kind: str, epci_type: str) -> tuple[str, str] | None:
    """An EPCI's legal form as (short, long) words, for small print; None for the others."""
    if kind != KIND_EPCI or not epci_type:
        return None
    return EPCI_FORMS.get(epci_type, (epci_type, epci_type))


def tranche_population(population: int | None) -> str | None:
    if population is None:
        return None
    for code, _label, low, high in TRANCHES_POPULATION:
        if population >= low and (high is None or population < high):
            return code
    return None


# --- ORM filters --------------------------------------------------------------------------


def type_filter(code: str, prefix: str = "") -> Q:
    """The collectivités whose `type_collectivite` is `code`, as a Q; `prefix` reaches them
    through a relation (e.g. "collectivite__")."""
    kind, epci_type = f"{prefix}kind", f"{prefix}epci_type__in"
    if code == "metropole":
        return Q(**{kind: KIND_EPCI, epci_type: METROPOLE_EPCI_TYPES})
    if code == "intercommunalite":
        return Q(**{kind: KIND_EPCI}) & ~Q(**{epci_type: METROPOLE_EPCI_TYPES})
    return Q(**{kind: code})


def tranche_filter(code: str, prefix: str = "") -> Q:
    """The collectivités in the population bracket `code`, as a Q."""
    for tranche, _label, low, high in TRANCHES_POPULATION:
        if tranche == code:
            bounds = Q(**{f"{prefix}population__gte": low})
            if high is not None:
                bounds &= Q(**{f"{prefix}population__lt": high})
            return bounds
    raise ValueError(f"Tranche de population inconnue : {code}")


# --- SQL, on respondents_collectivite c ----------------------------------------------------

TYPE_SQL = (
    f"CASE WHEN c.kind = '{KIND_EPCI}' AND c.epci_type IN "
    f"({', '.join(repr(t) for t in METROPOLE_EPCI_TYPES)}) THEN 'metropole' "
    f"WHEN c.kind = '{KIND_EPCI}' THEN 'intercommunalite' ELSE c.kind END"
)
TRANCHE_SQL = (
    "CASE WHEN c.population IS NULL THEN NULL "
    + " ".join(
        f"WHEN c.population < {high} THEN '{code}'"
        for code, _label, _low, high in TRANCHES_POPULATION
        if high is not None
    )
    + f" ELSE '{TRANCHES_POPULATION[-1][0]}' END"
)
REGION_SQL = "c.region_code"
