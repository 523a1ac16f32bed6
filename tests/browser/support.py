"""What the browser tests need and check: Chromium, axe-core, accessible names, visible focus."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from respondents.models import Collectivite, Contact, Invitation
from surveys.definition import import_definition, load_definition
from surveys.models import Edition

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EDITIONS = ROOT / "editions"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() else None


def browser_unavailable(reason: str) -> None:
    """In CI a missing browser is a failure, elsewhere a clearly explained skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI est défini : les tests navigateur doivent tourner)", False)
    pytest.skip(reason)


def axe_violations(page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe-core finds in the page, with their nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the driver, not as an inline <script> the page's CSP would refuse.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    cible {target} — {summary}")
    return "\n".join(lines)


def assert_accessible(page, what: str = "") -> None:
    """Zero axe-core violations, and the page declared in French."""
    label = what or page.url
    assert page.get_attribute("html", "lang") == "fr", f"{label} : <html lang> n'est pas « fr »"
    violations = axe_violations(page)
    assert not violations, f"{label} : violations axe-core\n{describe_violations(violations)}"


# Roles of the controls an agent operates; each must have an accessible name.
CONTROL_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "listbox",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "textbox",
}


def unnamed_controls(page) -> list[str]:
    """Form controls without an accessible name, from Chromium's own accessibility tree."""
    session = page.context.new_cdp_session(page)
    try:
        return _unnamed(session)
    finally:
        session.detach()


def _unnamed(session) -> list[str]:
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    missing = []
    for node in nodes:
        role = (node.get("role") or {}).get("value")
        if node.get("ignored") or role not in CONTROL_ROLES:
            continue
        name = ((node.get("name") or {}).get("value") or "").strip()
        if not name:
            missing.append(f"{role} {_describe_dom_node(session, node.get('backendDOMNodeId'))}")
    return missing


def _describe_dom_node(session, backend_id: int | None) -> str:
    if backend_id is None:
        return "(sans nœud DOM)"
    node = session.send("DOM.describeNode", {"backendNodeId": backend_id})["node"]
    pairs = node.get("attributes", [])
    attributes = " ".join(f'{k}="{v}"' for k, v in zip(pairs[::2], pairs[1::2], strict=True))
    return f"<{node['localName']} {attributes}>"


def focus_indicator(page) -> dict:
    """The focused element and the computed styles that make its focus visible."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
                boxShadow: style.boxShadow,
            };
        }"""
    )


def focus_is_visible(indicator: dict) -> bool:
    outlined = indicator["outlineStyle"] != "none" and indicator["outlineWidth"] > 0
    shadowed = indicator["boxShadow"] not in ("", "none")
    return outlined or shadowed


# --- the respondent's way in -------------------------------------------------------------------


def open_edition(year: int) -> Edition:
    """Import the shipped definition of an edition and open its wave."""
    edition, _ = import_definition(load_definition(EDITIONS / f"{year}.yaml"))
    edition.status = Edition.Status.OPEN
    edition.opens_at = timezone.now() - timedelta(days=7)
    edition.closes_at = timezone.now() + timedelta(days=30)
    edition.save()
    return edition


def invite(collectivite: Collectivite, edition: Edition, email: str) -> str:
    """An invited contact of the collectivité; returns the clear token its e-mail would carry."""
    contact, _ = Contact.objects.get_or_create(
        collectivite=collectivite,
        email=email,
        defaults={"first_name": "Agnès", "last_name": "Martin", "role": "Chargée de mission"},
    )
    invitation = Invitation.objects.create(
        edition=edition,
        collectivite=collectivite,
        contact=contact,
    )
    return invitation.issue_token()


def confirm_magic_link(page, path: str, check=None) -> None:
    """Open a magic link as the agent does: the confirmation page, then its button.

    `check(page)` runs on the confirmation page before the button is pressed.
    """
    page.goto(path)
    if check is not None:
        check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Accéder au questionnaire").click()


def tab_to(page, predicate: str, limit: int = 300) -> None:
    """Press Tab until the focused element `el` satisfies the JavaScript `predicate`."""
    test = f"() => {{ const el = document.activeElement; return !!({predicate}); }}"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            return
    raise AssertionError(f"aucun élément ne satisfait « {predicate} » en {limit} tabulations")


# Every layout shift not caused by the user's input, summed: the page's cumulative layout shift
# as Lighthouse counts it for a load (web.dev/cls), and the long tasks (over 50 ms) of the main
# thread, whose excess over 50 ms sums to the total blocking time.
SPEED_OBSERVERS = """
window.__speed = { cls: 0, blocking: 0, longTasks: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__speed.cls += entry.value;
  }
}).observe({ type: "layout-shift", buffered: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__speed.longTasks += 1;
    window.__speed.blocking += Math.max(0, entry.duration - 50);
  }
}).observe({ type: "longtask", buffered: true });
"""


def watch_speed(page) -> None:
    """Record layout shifts and long tasks from the next page load on."""
    page.add_init_script(SPEED_OBSERVERS)


def speed(page) -> dict:
    """{"cls": cumulative layout shift, "blocking": ms, "longTasks": count} so far."""
    return page.evaluate("() => window.__speed")
