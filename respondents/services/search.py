"""Search of the collectivités referential by name, INSEE code, SIREN or postcode.

Names are matched on `search_name` (lower-case, accent- and punctuation-free): first as a prefix
of the whole name, which an index serves on PostgreSQL and SQLite alike, then as a prefix of a
later word ("lyon" also finds "Métropole de Lyon"), biggest collectivités first.
"""

import re

from django.db import connection
from django.db.models import F, Q, QuerySet

from respondents.models import Collectivite, PostalCode, normalise_name

SIREN = re.compile(r"\d{9}")
COMMUNE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
DEPARTEMENT_OR_REGION_CODE = re.compile(r"\d{2,3}|2[AB]")
MAX_RESULTS = 20


def _name_prefix(name: str) -> Q:
    """`search_name` starts with `name`, in a form the database's index serves."""
    if connection.vendor == "sqlite":
        # SQLite's LIKE is case-insensitive and skips the (binary) index; a range uses it.
        # search_name holds only [a-z0-9 ], so "~" sorts after every continuation.
        return Q(search_name__gte=name, search_name__lt=name + "~")
    # PostgreSQL: Django adds a varchar_pattern_ops index on search_name for LIKE 'x%'.
    return Q(search_name__startswith=name)


def _by_size(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("population").desc(nulls_last=True), "name")


def search_collectivites(
    query: str,
    *,
    kinds: list[str] | None = None,
    include_inactive: bool = False,
    limit: int = MAX_RESULTS,
) -> list[Collectivite]:
    text = (query or "").strip()
    if not text:
        return []
    queryset = Collectivite.objects.all()
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)

    compact = re.sub(r"\s", "", text).upper()
    if SIREN.fullmatch(compact):
        return list(_by_size(queryset.filter(siren=compact))[:limit])
    if COMMUNE_CODE.fullmatch(compact):
        postcode_owners = PostalCode.objects.filter(code=compact).values("collectivite_id")
        matches = queryset.filter(
            Q(kind=Collectivite.Kind.COMMUNE, code=compact) | Q(pk__in=postcode_owners)
        )
        return list(_by_size(matches)[:limit])
    if DEPARTEMENT_OR_REGION_CODE.fullmatch(compact):
        matches = queryset.filter(
            kind__in=[Collectivite.Kind.DEPARTEMENT, Collectivite.Kind.REGION], code=compact
        )
        return list(_by_size(matches)[:limit])

    name = normalise_name(text)
    if not name:
        return []
    results = list(_by_size(queryset.filter(_name_prefix(name)))[:limit])
    if len(results) < limit:
        found = [c.pk for c in results]
        later_word = queryset.filter(search_name__contains=f" {name}").exclude(pk__in=found)
        results += list(_by_size(later_word)[: limit - len(results)])
    return results
