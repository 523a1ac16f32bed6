"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One Chromium per test module, a fresh context (cookies, storage) and page per test; a page whose
scripts throw an uncaught error fails its test. Per module rather than per session because
Playwright's sync API keeps an event loop running while it lives, and the tests of other modules
must keep Django's async-safety check. The checks themselves live in
`tests/browser/support.py`.
"""

import os

import pytest
from django.core.cache import cache

from respondents.models import Collectivite
from tests.browser.support import AXE_SCRIPT, browser_unavailable, chromium_path, open_edition

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous for a loaded 2-core machine, short enough that a missing element fails quickly.
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        browser_unavailable(
            "Chromium introuvable (paquet Debian « chromium » ; bin/test l'installe)"
        )
    if not AXE_SCRIPT.is_file():
        browser_unavailable(f"axe-core introuvable ({AXE_SCRIPT}) : lancez npm ci")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses
    # to run under a running loop unless told the calls are really synchronous, which they are.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile; every page it opens fails the test on an uncaught script error."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    errors: list[str] = []
    violations: list[str] = []

    def watch(page):
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    context.on("page", watch)
    try:
        yield context
    finally:
        context.close()
    assert not errors, "erreurs JavaScript non interceptées :\n" + "\n".join(errors)
    assert not violations, "violations de la Content-Security-Policy :\n" + "\n".join(violations)


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def edition_2021(transactional_db):
    return open_edition(2021)


@pytest.fixture
def edition_2018(transactional_db):
    return open_edition(2018)


@pytest.fixture
def ille_et_vilaine(transactional_db):
    return Collectivite.objects.create(
        kind=Collectivite.Kind.DEPARTEMENT,
        code="35",
        name="Ille-et-Vilaine",
        population=1_079_498,
        departement_code="35",
        region_code="53",
    )
