"""How each question is reported (`rules.reporting`): checked by the loader, read with defaults,
written back by the export."""

import pytest

from surveys.definition import (
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.rules import parse_rules
from tests.surveys.test_edition_rules import errors_of, line_of, source

RANKING = """\
      - code: priorites
        type: ranking
        text: Vos priorités
        rank_count: 3
        choices:
          - {code: a, label: A}
          - {code: b, label: B}
          - {code: c, label: C}
          - {code: d, label: D}
"""
REPORTING = """\
  reporting:
    priorites: {top: 2, points: [5, 3, 1]}
    etp: {stats: [median]}
"""


def text(reporting: str = REPORTING) -> str:
    return source(numbers=RANKING.replace("      - code: priorites", NUMBERS_AND_RANKING)) + (
        reporting
    )


NUMBERS_AND_RANKING = """\
      - code: budget
        type: money
        text: Budget
        allow_nsp: true
      - code: etp
        type: decimal
        text: ETP
      - code: priorites"""


def test_a_reporting_block_loads_checked_and_reads_with_defaults():
    rules = load_definition("essai.yaml", text=text())["rules"]
    assert rules["reporting"] == {
        "priorites": {"top": 2, "points": [5, 3, 1]},
        "etp": {"stats": ["median"]},
    }
    parsed = parse_rules(rules)
    assert parsed.reporting_of("priorites").top_of(3) == 2
    assert parsed.reporting_of("priorites").points_of(3) == (5, 3, 1)
    assert parsed.reporting_of("etp").stats == ("median",)
    # A question the block does not name: top 3, rank r earning ranks + 1 − r, mean and median.
    default = parsed.reporting_of("budget")
    assert (default.top_of(10), default.points_of(4), default.stats) == (
        3,
        (4, 3, 2, 1),
        ("mean", "median"),
    )
    assert default.top_of(2) == 2


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            "    priorites: {top",
            "    priorite: {top",
            "    priorite:",
            "présentation de « priorite » : « priorite » n'est pas une question de l'édition.",
        ),
        (
            "    etp: {stats",
            "    service_dedie: {stats",
            "    service_dedie:",
            "présentation de « service_dedie » : « stats » ne vaut que pour une question de type "
            "nombre (type single).",
        ),
        (
            "    priorites: {top: 2, points: [5, 3, 1]}",
            "    budget: {top: 2}\n    priorites: {top: 2}",
            "    budget: {top",
            "présentation de « budget » : « top » ne vaut que pour une question de type "
            "classement (type money).",
        ),
        (
            "{top: 2,",
            "{top: 4,",
            "    priorites:",
            "présentation de « priorites » : « top » : un nombre de rangs entre 1 et 3",
        ),
        (
            "[5, 3, 1]",
            "[5, 3]",
            "    priorites:",
            "présentation de « priorites » : « points » : 2 valeur(s) pour 3 rangs",
        ),
        (
            "[5, 3, 1]",
            "[5, 3, -1]",
            "    priorites:",
            "« points » : une liste de nombres entiers positifs ou nuls, un par rang.",
        ),
        (
            "[5, 3, 1]",
            "[3, 5, 1]",
            "    priorites:",
            "un rang ne peut rapporter plus de points que le rang qui le précède.",
        ),
        (
            "[median]",
            "[median, mode]",
            "    etp: {",
            "présentation de « etp » : « stats » : statistique inconnue « mode » "
            "(possibles : mean, median).",
        ),
        (
            "[median]",
            "[]",
            "    etp: {",
            "« stats » : une liste d'au moins une statistique parmi mean, median.",
        ),
        (
            "{stats: [median]}",
            "{stats: [median], tri: croissant}",
            "    etp: {",
            "clé inconnue « tri »",
        ),
    ],
)
def test_every_wrong_reporting_is_refused_with_its_line_and_code(old, new, fragment, message):
    wrong = text().replace(old, new, 1)
    assert wrong != text()
    errors = errors_of(wrong)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"essai.yaml, ligne {line_of(wrong, fragment)} : ")
    assert message in errors[0]


@pytest.mark.django_db
def test_the_export_writes_the_reporting_back_as_loaded():
    definition = load_definition("essai.yaml", text=text())
    edition, _ = import_definition(definition)
    exported = dump_definition(export_definition(edition))
    assert "  reporting:\n    priorites: {top: 2, points: [5, 3, 1]}\n" in exported
    assert "    etp: {stats: [median]}\n" in exported
    again = load_definition("export.yaml", text=exported)
    assert again["rules"] == definition["rules"]
