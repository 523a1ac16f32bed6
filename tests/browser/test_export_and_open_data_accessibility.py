"""axe-core on the export form and job page, and on the public results with their open data."""

import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import ANALYSTS
from surveys.models import Edition, Section
from tests.browser.support import assert_accessible, unnamed_controls

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def analyste(transactional_db):
    # Transactional tests flush the tables, the roles' groups included: made again here.
    user = get_user_model().objects.create_user("analyste-exp", "a@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    return user


@pytest.fixture
def published_2021(edition_2021):
    edition_2021.status = Edition.Status.PUBLISHED
    edition_2021.save()
    return edition_2021


def sign_in(page, username: str) -> None:
    page.goto("/compte/connexion/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


def test_the_export_form_its_errors_and_the_job_page_are_accessible(analyste, edition_2021, page):
    Section.objects.create(
        edition=Edition.objects.create(year=2018, title="Baromètre 2018"),
        code="notoriete",
        title="Notoriété",
        order=1,
    )
    sign_in(page, "analyste-exp")
    page.goto("/exports/")
    assert_accessible(page, "exports")
    assert unnamed_controls(page) == []
    assert page.is_checked("input[name=format][value=xlsx]")
    assert page.get_by_label("SPSS (.sav)").get_attribute("value") == "sav"
    assert page.get_by_label("Stata (.dta)").get_attribute("value") == "dta"

    page.check("input[name=format][value=csvfr]")
    page.check("input[name=sections][value=notoriete]")
    page.click("text=Lancer l'export")
    page.wait_for_selector("[data-error-summary]")
    assert "L'édition 2021 n'a pas de section « notoriete »" in page.content()
    assert_accessible(page, "exports avec erreurs")

    page.uncheck("input[name=sections][value=notoriete]")
    page.check("input[name=sections][value=moyens]")
    page.check("input[name=headers][value=labels]")
    page.click("text=Lancer l'export")
    page.wait_for_url("**/exports/*/")
    page.wait_for_selector("[data-export-link]:visible")
    text = page.inner_text("main")
    assert "CSV pour Excel (France), réponses en libellés, en-têtes : intitulés des questions" in (
        text
    )
    assert "statuts : Envoyée, Validée" in text
    assert "moyens" in text
    assert_accessible(page, "export terminé")


def test_the_public_results_offer_the_open_data_to_anyone(published_2021, page, tmp_path):
    page.goto("/resultats/2021/publics/")
    assert_accessible(page, "résultats publics")
    heading = page.locator("#donnees-ouvertes")
    assert heading.inner_text() == "Données ouvertes"
    with page.expect_download() as download:
        page.click("text=Télécharger les données ouvertes 2021")
    path = tmp_path / "paquet.zip"
    download.value.save_as(path)
    assert download.value.suggested_filename == "barometre-democratie-locale-numerique-2021.zip"
    assert "reponses.csv" in zipfile.ZipFile(path).namelist()
