"""The page's script evaluates conditions exactly as the server does (real Chromium).

Every condition of the shipped editions, and one of each construct of the language, is
evaluated on many value sets by `surveys.conditions` and by `static/js/filling.js` (fed the JSON
tree `surveys.filling.forms.condition_json` puts in the page); the results must agree.
"""

import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from surveys.conditions import compile_condition
from surveys.filling.forms import condition_json

EXAMPLES = [
    "reseaux_sociaux = oui",
    "reseaux_sociaux != oui",
    "outils_crise has consultation_crise",
    "outils_crise has [entraide, autre]",
    "outils_numeriques has_other_than aucun",
    "type_collectivite in [commune, intercommunalite]",
    "type_collectivite not in [departement, region]",
    "population >= 10000",
    "budget_par_habitant > 1.5",
    "service_intitule is answered",
    "service_intitule is not answered",
    "effets_crise.perte_lien = tout_a_fait",
    "besoins.formation <= 2",
    "visio_deliberations = oui or visio_ateliers = oui",
    "not (reseaux_sociaux = oui and (outils_crise = aucun or service_intitule is answered))",
    "population = 10000",
    "etp_participation < 1",
]
CANDIDATES = [
    None,
    "",
    "oui",
    "non",
    "nsp",
    "aucun",
    "commune",
    "region",
    "consultation_crise",
    "10000",
    "12.5",
    "0.5",
    10000,
    9999,
    [],
    ["aucun"],
    ["entraide", "autre"],
    ["consultation_crise", "aucun"],
    {},
    {"perte_lien": "tout_a_fait"},
    {"perte_lien": "plutot", "fracture_numerique": "nsp"},
    {"formation": 1, "budgets": 2},
    {"formation": 3},
]


def shipped_conditions() -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "condition" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((settings.BASE_DIR / "editions").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text()))
    return found


def cases() -> list[tuple[str, dict]]:
    rng = random.Random(2021)
    result = []
    for expr in sorted(set(shipped_conditions() + EXAMPLES)):
        codes = sorted(compile_condition(expr).codes)
        for _ in range(40):
            values = {code: rng.choice(CANDIDATES) for code in codes}
            result.append((expr, {k: v for k, v in values.items() if v is not None}))
    return result


@pytest.mark.browser
def test_the_page_script_and_the_server_agree_on_every_condition():
    from playwright.sync_api import sync_playwright

    all_cases = cases()
    assert len(shipped_conditions()) >= 20
    expected = [compile_condition(expr).evaluate(values) for expr, values in all_cases]
    payload = [[json.loads(condition_json(expr)), values] for expr, values in all_cases]
    script = Path(settings.BASE_DIR / "static/js/filling.js").read_text()
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium est nécessaire (bin/test installe le paquet Debian)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(f"<!doctype html><html><body><script>{script}</script></body></html>")
            got = page.evaluate(
                "cases => cases.map(([node, values]) => "
                "window.barometreConditions.evaluate(node, values))",
                payload,
            )
        finally:
            browser.close()
    mismatches = [
        (expr, values, want)
        for (expr, values), want, have in zip(all_cases, expected, got, strict=True)
        if want != have
    ]
    assert not mismatches, mismatches[:5]
    assert any(expected) and not all(expected)
