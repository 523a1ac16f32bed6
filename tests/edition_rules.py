"""The rules of the shipped editions (editions/<year>.yaml), for editions that tests build by hand.

Tests that build an edition question by question give it the rules of the shipped file, so that
what a figure means (brackets, indicators, warnings) comes from the definition, as in production.
"""

from functools import cache
from pathlib import Path

from surveys.definition.loader import load_definition
from surveys.definition.sync import json_numbers
from surveys.rules import EditionRules, parse_rules

EDITIONS = Path(__file__).resolve().parent.parent / "editions"


@cache
def _rules(year: int) -> dict:
    return json_numbers(load_definition(EDITIONS / f"{year}.yaml")["rules"])


def shipped_rules(year: int = 2021) -> dict:
    """The stored form (`Edition.rules`) of the shipped edition's rules: a fresh copy."""
    import copy

    return copy.deepcopy(_rules(year))


def shipped(year: int = 2021) -> EditionRules:
    return parse_rules(shipped_rules(year))


def give_shipped_rules(edition, year: int = 2021):
    """Give a hand-built edition the shipped edition's rules; returns the edition."""
    edition.rules = shipped_rules(year)
    edition.save(update_fields=["rules"])
    return edition
