"""The trimmed Bootstrap (static/css/bootstrap-trimmed.css, bin/trim-css.mjs) keeps every rule
of Bootstrap that styles the respondent, staff and results pages: each selector of the whole
Bootstrap stylesheet, in any media query (phone and desktop alike), that matches an element of
the page is also in the trimmed one. A class PurgeCSS could not see (built from pieces at run
time) would show here. User-action states (hover, focus) count as matching."""

import pytest
from django.conf import settings

from exports.results.cache import recompute
from surveys.models import Edition
from surveys.synthetic import seed_responses
from tests.browser.answers import planned_answers, store_draft
from tests.browser.test_answering_accessibility import open_session, section_paths
from tests.browser.test_backoffice_walk import _sign_in, backoffice  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

FULL_BOOTSTRAP = settings.BASE_DIR / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.css"
# The selectors of the whole stylesheet (parsed, never applied) that match an element of the page
# and are missing from the trimmed stylesheet the page loaded, each with its media query.
MISSING_RULES = r"""(full) => {
    const split = (text) => {
        const parts = []; let depth = 0, start = 0;
        for (let i = 0; i < text.length; i++) {
            if (text[i] === '(') depth++;
            else if (text[i] === ')') depth--;
            else if (text[i] === ',' && depth === 0) {
                parts.push(text.slice(start, i));
                start = i + 1;
            }
        }
        return [...parts, text.slice(start)].map((s) => s.trim());
    };
    const selectors = (rules, media, out) => {
        for (const rule of rules) {
            if (rule instanceof CSSStyleRule) {
                for (const s of split(rule.selectorText)) out.push([media, s]);
            } else if (rule.cssRules) {
                selectors(rule.cssRules, media + (rule.conditionText || '') + ' ', out);
            }
        }
        return out;
    };
    const trimmed = [...document.styleSheets].find(
        (s) => s.href && s.href.includes('bootstrap-trimmed'));
    const kept = new Set(selectors(trimmed.cssRules, '', []).map(([m, s]) => m + '|' + s));
    const whole = new CSSStyleSheet();
    whole.replaceSync(full);
    const dynamic = new RegExp('::?(hover|focus-visible|focus-within|focus|active|visited|'
        + 'before|after|placeholder|-webkit-[a-z-]+|-moz-[a-z-]+|file-selector-button|marker|'
        + 'selection)\\b(\\([^)]*\\))?', 'g');
    const missing = [];
    for (const [media, selector] of selectors(whole.cssRules, '', [])) {
        if (kept.has(media + '|' + selector)) continue;
        const bare = selector.replace(dynamic, '') || '*';
        let matches = false;
        try { matches = document.querySelector(bare) !== null; } catch (e) { continue; }
        if (matches) missing.push(`${media}${selector}`);
    }
    return missing;
}"""


def missing_rules(page, paths: list[str]) -> list[str]:
    full = FULL_BOOTSTRAP.read_text()
    found = []
    for path in paths:
        assert page.goto(path).status == 200, path
        found += [f"{path} : {rule}" for rule in page.evaluate(MISSING_RULES, full)]
    return found


def test_the_trimmed_stylesheet_keeps_every_rule_the_respondent_pages_use(
    page, rennes, edition_2021
):
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    open_session(page, rennes, edition_2021, "agent.css@ville-rennes.test")
    paths = ["/repondre/2021/", *section_paths(page, 2021), "/repondre/2021/relecture/"]
    assert missing_rules(page, paths) == []


def test_the_trimmed_stylesheet_keeps_every_rule_the_staff_and_results_pages_use(
    backoffice,  # noqa: F811 (the fixture imported above)
    page,
):
    edition = Edition.objects.get(year=2021)
    seed_responses(edition, 12, seed=3)
    recompute(edition)
    published = Edition.objects.get(year=2018)
    _sign_in(page)
    paths = [
        "/compte/connexion/",
        "/equipe/",
        "/equipe/editions/2021/",
        "/equipe/editions/2021/suivi/",
        "/equipe/editions/2021/reponses/",
        f"/equipe/reponses/{backoffice['response']}/",
        "/equipe/collectivites/",
        "/equipe/contacts/",
        "/exports/",
        "/resultats/2021/",
        "/resultats/2021/repartition/",
        f"/resultats/{published.year}/publics/",
    ]
    assert missing_rules(page, paths) == []
