"""200 % zoom (WCAG 1.4.10 reflow): every respondent page fits without sideways scrolling.

A 1280 × 900 window zoomed to 200 % lays pages out in a 640 × 450 CSS-pixel viewport, which is
what this test gives Chromium (the same layout as the zoom, without depending on a browser
zoom API). The pages the phone test (`test_phone_layout.py`, 390 and 320 px) does not visit are
also checked at 320 px: the link confirmation, confirmation, answers, print copy, comparison,
logged-out, session-ended, resend-link and error pages.
"""

import pytest

from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import confirm_magic_link, invite
from tests.browser.test_answering_accessibility import section_paths

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
# Elements scrolling sideways inside the page (a table in .table-responsive, a long word).
INNER_SCROLLERS = """() => Array.from(document.querySelectorAll('main *'))
    .filter((el) => el.scrollWidth > el.clientWidth + 1
        && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`)"""
ZOOMED_200 = {"width": 640, "height": 450}


def assert_fits(page, path: str, label: str) -> None:
    page.goto(path)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(FITS), f"{path} ({label}) : {widths}"
    assert page.evaluate(INNER_SCROLLERS) == [], f"{path} ({label})"


def walk_after_submission(page, label: str) -> None:
    for path in (
        "/repondre/2021/confirmation/",
        "/repondre/2021/mes-reponses/",
        "/repondre/2021/impression/",
        "/resultats/2021/ma-collectivite/",
    ):
        assert_fits(page, path, label)


def walk_without_session(page, label: str) -> None:
    for path in ("/repondre/2021/", "/acces/renvoyer/", "/cette-page-n-existe-pas/"):
        assert_fits(page, path, label)


def submit(page) -> None:
    page.goto("/repondre/2021/relecture/")
    for box in page.locator("input[name='confirm']").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()


@pytest.mark.parametrize("viewport", [ZOOMED_200, {"width": 320, "height": 640}])
def test_every_respondent_page_reflows_at_200_percent_zoom(page, rennes, edition_2021, viewport):
    label = f"{viewport['width']} px"
    zoomed = viewport == ZOOMED_200
    page.set_viewport_size(viewport)
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    confirm_magic_link(page, f"/acces/{token}/", lambda p: assert_fits(p, p.url, label))
    if zoomed:  # at 320 px, test_phone_layout.py walks these
        page.goto("/repondre/2021/")
        paths = ["/repondre/2021/", *section_paths(page, 2021), "/repondre/2021/relecture/"]
        for path in paths:
            assert_fits(page, path, label)
    submit(page)
    walk_after_submission(page, label)
    page.goto("/repondre/2021/")
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").first.click()
    assert page.evaluate(FITS), f"déconnexion ({label})"
    walk_without_session(page, label)
