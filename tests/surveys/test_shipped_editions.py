"""The 2021 and 2018 definition files against the spec: every code, with its type."""

import re
from pathlib import Path

import pytest

from respondents.models import Collectivite
from surveys import filling
from surveys.definition import (
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.models import Edition
from tests.surveys.definition_helpers import snapshot

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path("/work/shared/spec")
if not SPEC.exists():
    SPEC = ROOT / "docs" / "spec"
EDITIONS = ROOT / "editions"
CODE = re.compile(r"`([a-z0-9_]+)`")


def spec_codes(text: str) -> dict:
    """{question code: (type, set of choice/row/item codes)} read from the spec's tables."""
    questions: dict[str, tuple[str | None, set]] = {}
    current = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and CODE.fullmatch(cells[0]):
            code, qtype = CODE.fullmatch(cells[0]).group(1), cells[1]
            rule = cells[3] if len(cells) > 3 else ""
            rule = re.split(
                r"— \*if\*|^\*if\*|— same|same choices|the choices of|same items", rule
            )[0]
            choices = set() if "LIKERT4N" in rule else set(CODE.findall(rule))
            if qtype not in ("type", "meaning"):
                questions[code] = (qtype, choices)
            continue
        heading = re.match(r"`([a-z_]+)` — «", line)
        if heading:  # a matrix or a ranking described in prose
            current = heading.group(1)
            kind = "ranking" if "top 3" in line else "matrix"
            questions[current] = (kind, set())
        elif current and re.match(r"(rows|items):", line):
            questions[current][1].update(CODE.findall(line))
    return questions


def yaml_codes(definition: dict) -> dict:
    codes = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            for q in [question, *question["questions"]]:
                options = {c["code"] for c in q["choices"]} | {r["code"] for r in q["rows"]}
                if q["allow_nsp"]:  # a number that may be answered "nsp"
                    options.add("nsp")
                codes[q["code"]] = (q["type"], options)
    return codes


def test_every_code_of_the_2021_spec_is_in_the_2021_edition_with_its_type():
    spec = spec_codes((SPEC / "questionnaire-2021.md").read_text(encoding="utf-8"))
    shipped = yaml_codes(load_definition(EDITIONS / "2021.yaml"))
    assert len(spec) == len(shipped) == 39
    assert sum(len(options) for _, options in spec.values()) > 150  # the parser reads them
    for code, (qtype, options) in spec.items():
        assert code in shipped, code
        assert shipped[code][0] == qtype, code
        assert options <= shipped[code][1], (code, options - shipped[code][1])


def test_every_code_of_the_2018_spec_is_in_the_2018_edition_with_its_type():
    spec = spec_codes((SPEC / "questionnaire-2018.md").read_text(encoding="utf-8"))
    shipped = yaml_codes(load_definition(EDITIONS / "2018.yaml"))
    assert {"connait_open_gov", "connait_civic_tech", "nom", "satisfaction"} <= set(spec)
    for code, (qtype, options) in spec.items():
        assert code in shipped, code
        assert shipped[code][0] == qtype, code
        assert options <= shipped[code][1], (code, options - shipped[code][1])
    assert shipped["fiches_dispositifs"][0] == "roster"


def test_2018_is_2021_minus_the_focus_modules_and_three_questions_plus_its_own():
    codes_2021 = yaml_codes(load_definition(EDITIONS / "2021.yaml"))
    edition_2018 = load_definition(EDITIONS / "2018.yaml")
    codes_2018 = yaml_codes(edition_2018)
    focus = {
        q["code"]
        for section in load_definition(EDITIONS / "2021.yaml")["sections"]
        if section["code"].startswith("focus_")
        for q in section["questions"]
    }
    roster = next(
        q
        for section in edition_2018["sections"]
        for q in section["questions"]
        if q["code"] == "fiches_dispositifs"
    )
    children = {q["code"] for q in roster["questions"]}
    removed = focus | {"logiciel", "intelligence_artificielle", "identification"}
    added = {"connait_open_gov", "connait_civic_tech", "fiches_dispositifs"} | children
    assert set(codes_2018) == (set(codes_2021) - removed) | added


def test_the_2021_edition_carries_the_spec_rules():
    definition = load_definition(EDITIONS / "2021.yaml")
    sections = {s["code"]: s for s in definition["sections"]}
    questions = {q["code"]: q for s in definition["sections"] for q in s["questions"]}
    choices = {c["code"]: c for c in questions["dispositifs_existants"]["choices"]}
    assert choices["conseils_quartier"]["condition"] == "type_collectivite = commune"
    assert sections["focus_elections"]["condition"] == (
        "type_collectivite in [commune, intercommunalite, metropole]"
    )
    assert questions["budget_participation"]["allow_nsp"]
    etp = questions["etp_participation"]
    assert (etp["min_value"], etp["max_value"], str(etp["step"])) == (0, 10000, "0.1")
    assert questions["besoins"]["rank_count"] == 3
    assert len(questions["besoins"]["choices"]) == 10
    assert [c["code"] for c in questions["nouveaux_outils_elections"]["choices"]] == [
        c["code"] for c in questions["outils_numeriques"]["choices"]
    ]
    assert questions["logiciel"]["condition"] == "outils_numeriques has_other_than aucun"
    assert [c["code"] for c in questions["objectifs"]["choices"]] == [
        "tout_a_fait",
        "plutot",
        "plutot_pas",
        "pas_du_tout",
        "nsp",
    ]


def test_the_2018_edition_carries_the_spec_rules():
    definition = load_definition(EDITIONS / "2018.yaml")
    questions = {q["code"]: q for s in definition["sections"] for q in s["questions"]}
    assert questions["besoins"]["rank_count"] is None  # all 10 ranked
    assert "pas_vraiment" in {c["code"] for c in questions["apports"]["choices"]}
    roster = questions["fiches_dispositifs"]
    assert (roster["min_items"], roster["max_items"]) == (0, 20)
    children = {q["code"]: q for q in roster["questions"]}
    assert children["nom"]["required"]
    assert "aucun" not in {c["code"] for c in children["famille"]["choices"]}
    assert (children["satisfaction"]["min_value"], children["satisfaction"]["max_value"]) == (0, 20)
    assert "nsp" not in {c["code"] for c in children["difficulte"]["choices"]}
    assert children["auteur_synthese"]["condition"] == "synthese has_other_than non"


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2021, 2018])
def test_the_shipped_edition_imports_exports_and_reimports_identically(year):
    path = EDITIONS / f"{year}.yaml"
    edition, _ = import_definition(load_definition(path))
    first = snapshot(edition)
    exported = dump_definition(export_definition(edition))
    assert exported == path.read_text(encoding="utf-8")
    edition, changed = import_definition(load_definition("export.yaml", text=exported))
    assert not changed
    assert snapshot(edition) == first
    Edition.objects.all().delete()
    edition, _ = import_definition(load_definition("export.yaml", text=exported))
    assert snapshot(edition) == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "epci_type", "asked"),
    [
        ("commune", "", True),
        ("epci", "CC", True),
        ("epci", "METRO", True),
        ("epci", "MET69", True),
        ("departement", "", False),
        ("region", "", False),
    ],
)
def test_the_2021_elections_module_concerns_communes_and_every_epci(kind, epci_type, asked):
    edition, _created = import_definition(load_definition(EDITIONS / "2021.yaml"))
    collectivite = Collectivite.objects.create(
        kind=kind, epci_type=epci_type, code=f"{kind}{epci_type}", name="Exemple"
    )
    response = filling.response_for(edition, collectivite)
    codes = [section.code for section in filling.visible_sections(response)]
    assert ("focus_elections" in codes) is asked
