"""What an edition means lives in its definition file: indicators, brackets, warnings, trends.

The loader refuses every dangling reference with the file's line and the code concerned; the
shipped editions carry their rules; the warnings compare with last edition's answer; and no
module of the apps names a question code of the barometer.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from surveys import filling
from surveys.definition import DefinitionError, load_definition
from surveys.models import Answer, Response
from surveys.rules import Bracket, parse_rules
from tests.edition_rules import shipped, shipped_rules
from tests.surveys.definition_helpers import MINIMAL
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import question, save

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("barometre", "respondents", "surveys", "exports", "api")

NUMBERS = """\
      - code: budget
        type: money
        text: Budget
        allow_nsp: true
      - code: etp
        type: decimal
        text: ETP
"""
RULES = """\
rules:
  indicators:
    - {code: budget_hab, label: Budget par habitant, question: budget, unit: €/hab., threshold: 1}
  brackets:
    etp:
      - {code: petit, label: Moins de 1, below: 1}
      - {code: moyen, label: De 1 à moins de 3, from: 1, below: 3}
      - {code: grand, label: 3 ou plus, from: 3}
  warnings:
    - code: budget_eleve
      question: budget
      when: budget_hab > 50
      message: '{budget_hab} € par habitant : vérifiez.'
    - code: ecart
      question: budget
      when: budget > 10 * precedent.budget
      message: 'Dix fois plus que l''an dernier ({precedent.budget} €).'
  trends:
    scale_mapping: {pas_du_tout: non}
"""


def source(rules: str = RULES, numbers: str = NUMBERS) -> str:
    return MINIMAL + numbers + rules


def errors_of(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition("essai.yaml", text=text)
    return caught.value.errors


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_file_with_rules_loads_them_checked():
    rules = load_definition("essai.yaml", text=source())["rules"]
    assert rules["indicators"] == [
        {
            "code": "budget_hab",
            "label": "Budget par habitant",
            "question": "budget",
            "unit": "€/hab.",
            "threshold": Decimal(1),
        }
    ]
    assert [b["code"] for b in rules["brackets"]["etp"]] == ["petit", "moyen", "grand"]
    assert [w["code"] for w in rules["warnings"]] == ["budget_eleve", "ecart"]
    assert rules["trends"] == {"scale_mapping": {"pas_du_tout": "non"}}


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            "condition: service_dedie = oui",
            "condition: service_dedie = ouii",
            "service_dedie = ouii",
            "question « service_intitule » : condition « service_dedie = ouii » : la question "
            "« service_dedie » n'a pas de choix « ouii ».",
        ),
        (
            "condition: service_dedie = oui",
            "condition: avis.clarte = peut_etre",
            "avis.clarte",
            "la question « avis » n'a pas de choix « peut_etre »",
        ),
        (
            "condition: service_dedie = oui",
            "condition: avis.beaute = oui",
            "avis.beaute",
            "la matrice « avis » n'a pas de ligne « beaute »",
        ),
        (
            "condition: service_dedie = oui",
            "condition: service_dedie > 3",
            "service_dedie > 3",
            "la question « service_dedie » a des choix, pas un nombre",
        ),
        (
            "condition: service_dedie = oui",
            "condition: budget = beaucoup",
            "budget = beaucoup",
            "la question « budget » attend un nombre",
        ),
        (
            "condition: service_dedie = oui",
            "condition: type_collectivite = mairie",
            "type_collectivite = mairie",
            "« type_collectivite » ne prend pas la valeur « mairie »",
        ),
        (
            "condition: service_dedie = oui",
            "condition: budget > 2 * etp",
            "budget > 2 * etp",
            "comparer deux réponses n'est permis que dans un avertissement",
        ),
        (
            "question: budget, unit",
            "question: budgett, unit",
            "budgett",
            "indicateur « budget_hab » : la question « budgett » n'existe pas.",
        ),
        (
            "question: budget, unit",
            "question: outils, unit",
            "question: outils",
            "indicateur « budget_hab » : la question « outils » n'est pas un nombre",
        ),
        (
            "    etp:\n",
            "    service_dedie:\n",
            "    service_dedie:",
            "tranches de « service_dedie » : la question n'est pas un nombre (type single).",
        ),
        (
            "from: 1, below: 3}",
            "from: 0.5, below: 3}",
            "code: moyen",
            "la tranche « moyen » doit commencer après la fin de « petit »",
        ),
        (
            "when: budget_hab > 50",
            "when: budget_hab > 50 and outils has forumm",
            "when: budget_hab",
            "la question « outils » n'a pas de choix « forumm »",
        ),
        (
            "'{budget_hab} € par",
            "'{budget_habb} € par",
            "budget_habb",
            "avertissement « budget_eleve » : message, {budget_habb} : code inconnu "
            "« budget_habb ».",
        ),
        (
            "when: budget > 10 * precedent.budget",
            "when: budget > 10 * precedent.outils",
            "precedent.outils",
            "la question « outils » n'est pas un nombre",
        ),
        (
            "{pas_du_tout: non}",
            "{pas_du_tout: nan}",
            "pas_du_tout",
            "« pas_du_tout » est compté comme « nan », qui n'est un choix d'aucune question",
        ),
    ],
)
def test_every_dangling_reference_is_refused_with_its_line_and_code(old, new, fragment, message):
    text = source()
    assert old in text
    text = text.replace(old, new, 1)
    errors = errors_of(text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"essai.yaml, ligne {line_of(text, fragment)} : ")
    assert message in errors[0]


def test_an_unknown_rules_key_is_refused():
    errors = errors_of(source(RULES + "  presentation: {}\n"))
    assert errors == [
        f"essai.yaml, ligne {line_of(source(RULES + '  presentation: {}'), 'presentation')} : "
        "les règles : clé inconnue « presentation » (clés possibles : indicators, brackets, "
        "warnings, trends, rounding, reporting)."
    ]


def test_brackets_hold_their_bounds_as_declared():
    rules = parse_rules({"brackets": {"x": [{"code": "a", "label": "A", "above": 5, "upto": 10}]}})
    (bracket,) = rules.brackets["x"]
    assert not bracket.holds(Decimal(5))
    assert bracket.holds(Decimal("5.01")) and bracket.holds(Decimal(10))
    assert not bracket.holds(Decimal("10.01"))
    assert bracket.sql("v") == "v > 5 AND v <= 10"
    assert Bracket("b", "B", lower=Decimal(1)).sql("v") == "v >= 1"


def test_the_shipped_2021_edition_carries_its_rules():
    rules = shipped(2021)
    assert rules.indicator_codes == ("budget_par_habitant",)
    assert rules.indicators[0].question == "budget_participation"
    etp = {b.code: b for b in rules.brackets["etp_participation"]}
    # "De 1 à moins de 3" holds 1 ≤ x < 3, as its label says.
    assert etp["1_2"].label == "De 1 à moins de 3"
    assert etp["1_2"].holds(Decimal("2.9")) and not etp["1_2"].holds(Decimal(3))
    assert rules.map_scale_code("pas_vraiment") == "plutot_pas"
    assert "budget_ecart_edition_precedente" in [w.code for w in rules.warnings]


def test_no_module_of_the_apps_names_a_question_code_of_the_barometer():
    codes = set()
    for year in (2018, 2021):
        definition = load_definition(ROOT / "editions" / f"{year}.yaml")
        for section in definition["sections"]:
            for q in section["questions"]:
                codes.add(q["code"])
                codes.update(child["code"] for child in q["questions"])
        codes.update(i["code"] for i in definition["rules"].get("indicators", []))
    # `nom` (a device sheet's name) is also the French word the referential and the personal
    # data exports use for a name: not a rule of the barometer.
    codes -= {"nom"}
    assert "budget_participation" in codes and "budget_par_habitant" in codes
    alternatives = "|".join(sorted(map(re.escape, codes)))
    quoted = re.compile(rf"""["']({alternatives})["']""")
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for match in quoted.finditer(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(1)}")
    assert found == []


@pytest.fixture
def edition(db):
    return build_edition(2030)


def test_a_budget_ten_times_last_editions_asks_for_confirmation(edition, rennes):
    previous = build_edition(2029)
    old = Response.objects.create(
        edition=previous, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    Answer.objects.create(
        response=old, question=question(old, "budget_participation"), value="10000"
    )
    response = filling.response_for(edition, rennes)
    save(response, "moyens", budget_participation="100 000")
    assert [w.code for w in filling.review(response).warnings] == []
    save(response, "moyens", budget_participation="100 001")
    (warning,) = filling.review(response).warnings
    assert warning.code == "budget_ecart_edition_precedente"
    assert "(100\u202f001 €)" in warning.message and "(10\u202f000 €)" in warning.message
    save(response, "moyens", budget_participation="999")
    assert [w.code for w in filling.review(response).warnings] == [
        "budget_ecart_edition_precedente"
    ]


def test_without_a_previous_answer_nothing_is_compared(edition, rennes):
    response = filling.response_for(edition, rennes)
    save(response, "moyens", budget_participation="100 001")
    assert filling.review(response).warnings == []


def test_an_edition_without_rules_warns_of_nothing(edition, rennes):
    edition.rules = {}
    edition.save()
    response = filling.response_for(edition, rennes)
    save(response, "moyens", budget_participation="12 000 000")
    assert filling.review(response).warnings == []
    edition.rules = shipped_rules(2021)
    edition.save()
    assert [w.code for w in filling.review(response).warnings] == ["budget_par_habitant_eleve"]
