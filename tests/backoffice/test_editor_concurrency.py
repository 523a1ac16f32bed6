"""Two people editing the same edition: a form made before someone else's save is refused, in
French, with what was typed kept; sent again from the page that says so, it is saved."""

import re
from html import unescape

import pytest

from surveys.backoffice.editor.draft import STAMP, change_definition, edition_stamp, find_question
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.backoffice.test_editor import YEAR, question_post, stored, url
from tests.surveys.definition_helpers import import_shipped


@pytest.fixture
def draft(db):
    clone_edition(import_shipped(2021), YEAR, "Baromètre 2022")
    return Edition.objects.get(year=YEAR)  # as stored, its stamp included


@pytest.fixture
def staff(client, alice):
    client.force_login(alice)
    return client


STALE = "Quelqu'un a modifié l'édition 2022 depuis l'ouverture de cette page"


def _stamp_in(page) -> str:
    return re.search(rf'name="{STAMP}" value="([^"]+)"', page.content.decode()).group(1)


def _someone_else_rewords(code: str, text: str) -> None:
    def reword(definition):
        find_question(definition, code)["text"] = text

    change_definition(Edition.objects.get(year=YEAR), reword)


@pytest.mark.django_db
def test_a_question_saved_over_a_newer_version_is_refused_and_kept_then_saved(draft, staff):
    form = staff.get(url("editor-question", "service_intitule"))
    seen = _stamp_in(form)
    assert seen == edition_stamp(draft)
    _someone_else_rewords("service_dedie", "Un service dédié à la participation ?")

    mine = question_post(stored("service_intitule"), text="Nom du service, tel qu'affiché")
    refused = staff.post(url("editor-question", "service_intitule"), {**mine, STAMP: seen})
    assert refused.status_code == 400
    body = unescape(refused.content.decode())
    assert STALE in body
    assert "Nom du service, tel qu'affiché" in body  # what was typed is kept
    assert stored("service_intitule")["text"] != "Nom du service, tel qu'affiché"
    assert stored("service_dedie")["text"] == "Un service dédié à la participation ?"

    again = staff.post(
        url("editor-question", "service_intitule"), {**mine, STAMP: _stamp_in(refused)}
    )
    assert again.status_code == 302
    assert stored("service_intitule")["text"] == "Nom du service, tel qu'affiché"
    assert stored("service_dedie")["text"] == "Un service dédié à la participation ?"


@pytest.mark.django_db
def test_a_warning_and_a_break_verdict_over_a_newer_version_are_refused(draft, staff):
    seen = _stamp_in(staff.get(url("editor-warning-add")))
    _someone_else_rewords("service_dedie", "Un service dédié ?")
    warning = {
        "code": "budget_nul",
        "question": "budget_participation",
        "when": "budget_participation = 0",
        "message": "Un budget de 0 € ?",
        STAMP: seen,
    }
    refused = staff.post(url("editor-warning-add"), warning)
    assert refused.status_code == 400
    assert STALE in unescape(refused.content.decode())
    assert "budget_nul" not in str(Edition.objects.get(year=YEAR).rules)

    verdict = {"service_dedie": "comparable", STAMP: seen}
    refused = staff.post(url("editor-breaks"), verdict)
    assert refused.status_code == 400
    assert STALE in unescape(refused.content.decode())
    assert "breaks" not in (Edition.objects.get(year=YEAR).rules.get("trends") or {})

    verdict[STAMP] = edition_stamp(Edition.objects.get(year=YEAR))
    assert staff.post(url("editor-breaks"), verdict).status_code == 302
    breaks = Edition.objects.get(year=YEAR).rules["trends"]["breaks"]
    assert breaks == {"service_dedie": "comparable"}


@pytest.mark.django_db
def test_every_editing_form_carries_the_version_it_was_made_from(draft, staff):
    stamp = edition_stamp(draft)
    for page in (
        url("editor-question", "service_intitule"),
        url("editor-section", "profil"),
        url("editor-warning-add"),
        url("editor-rules"),
    ):
        assert _stamp_in(staff.get(page)) == stamp, page
