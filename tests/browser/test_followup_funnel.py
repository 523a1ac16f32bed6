"""axe-core on the follow-up page with its funnel by section, as an analyst sees it."""

import pytest
from django.utils import timezone

from barometre.roles import ANALYSTS
from respondents.models import Collectivite
from surveys.models import Response, SectionActivity
from tests.browser.support import assert_accessible
from tests.browser.test_api_pages_accessibility import member, sign_in

pytestmark = pytest.mark.browser


def test_the_follow_up_funnel_is_an_accessible_table(page, rennes, edition_2021):
    member("analyste-suivi", ANALYSTS)
    sections = list(edition_2021.sections.order_by("order"))
    others = [
        Collectivite.objects.create(
            kind=Collectivite.Kind.COMMUNE, code=f"3500{n}", name=f"Commune {n}", population=900
        )
        for n in range(3)
    ]
    for depth, collectivite in enumerate([rennes, *others], start=1):
        response = Response.objects.create(edition=edition_2021, collectivite=collectivite)
        for section in sections[:depth]:
            SectionActivity.objects.create(
                response=response,
                section=section,
                active_seconds=60 * depth,
                saved_at=timezone.now(),
            )
    sign_in(page, "analyste-suivi")
    page.goto("/equipe/editions/2021/suivi/")
    table = page.get_by_role(
        "table", name="Parcours section par section, sur 4 réponses commencées"
    )
    first = table.get_by_role("row").nth(1)
    assert first.get_by_role("rowheader").inner_text() == sections[0].title
    assert "4 (100,0 %)" in first.inner_text()
    assert_accessible(page, "suivi avec le parcours par section")
