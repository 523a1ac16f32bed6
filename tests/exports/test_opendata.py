"""The open dataset of a published edition: declared answers only, for everyone, valid."""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from frictionless import validate

from exports.results.cache import recompute
from exports.results.tasks import recompute_edition_results
from exports.services.opendata import package_name, stored_package
from surveys.models import Edition
from tests.exports.export_data import build_edition, build_responses

DECLARED = ["fonction_repondant", "outils_numeriques", "budget_participation", "nb_agents"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    edition.opendata_questions = DECLARED
    edition.status = Edition.Status.PUBLISHED
    edition.save()
    return edition


def url(edition):
    return reverse("results:public-opendata", args=[edition.year])


def download(client, edition) -> zipfile.ZipFile:
    response = client.get(url(edition))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="barometre-democratie-locale-numerique-2030.zip"'
    )
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(archive):
    return list(csv.DictReader(io.StringIO(archive.read("reponses.csv").decode("utf-8"))))


def test_anyone_downloads_the_package_without_an_account(client, edition):
    archive = download(client, edition)
    assert sorted(archive.namelist()) == [
        "datapackage.json",
        "metadonnees-data-gouv.json",
        "reponses.csv",
    ]


def test_it_publishes_the_declared_answers_of_sent_responses_only(client, edition):
    rows = rows_of(download(client, edition))
    # Metz Métropole's response is a draft: absent.
    assert [row["collectivite"] for row in rows] == ["Rennes", "Ille-et-Vilaine"]
    assert list(rows[0]) == [
        "collectivite", "code_insee", "siren", "type_collectivite", "population",
        "tranche_population", "region",
        "fonction_repondant",
        "outils_numeriques_site_information", "outils_numeriques_open_data",
        "outils_numeriques_aucun", "outils_numeriques_autre_coche", "outils_numeriques",
        "nb_agents", "budget_participation", "budget_participation__statut",
        "budget_par_habitant",
    ]  # fmt: skip
    rennes, ille = rows
    assert (rennes["code_insee"], rennes["siren"], rennes["fonction_repondant"]) == (
        "35238",
        "213502388",
        "autre",
    )
    assert (rennes["budget_participation"], rennes["budget_par_habitant"]) == ("450000", "2")
    assert (ille["budget_participation"], ille["budget_participation__statut"]) == ("", "nsp")
    text = json.dumps(rows, ensure_ascii=False)
    # Undeclared answers, précisez texts and dates never appear.
    for private in ("Chargée de mission", "Forum maison", "Service démocratie", "HYPERLINK"):
        assert private not in text
    assert "2030-05-03" not in text and "objectifs_transparence" not in text


def test_the_package_is_valid_under_frictionless(client, edition, tmp_path):
    download(client, edition).extractall(tmp_path / "paquet")
    report = validate(tmp_path / "paquet" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])
    assert report.tasks[0].stats["rows"] == 2
    package = json.loads((tmp_path / "paquet" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["budget_participation"]["type"] == "number"
    assert fields["nb_agents"]["type"] == "integer"
    assert fields["budget_participation__statut"]["constraints"]["enum"] == ["nsp"]
    assert package["licenses"][0]["title"] == "Licence Ouverte 2.0"


def test_frictionless_would_catch_a_text_in_a_number_column(client, edition, tmp_path):
    folder = tmp_path / "paquet"
    download(client, edition).extractall(folder)
    data = (folder / "reponses.csv").read_text(encoding="utf-8")
    (folder / "reponses.csv").write_text(data.replace(",450000,", ",nsp,"), encoding="utf-8")
    report = validate(folder / "datapackage.json")
    assert not report.valid
    assert [error[0] for error in report.flatten(["type"])] == ["type-error"]


def test_the_metadata_are_ready_for_data_gouv(client, edition):
    metadata = json.loads(download(client, edition).read("metadonnees-data-gouv.json"))
    assert metadata["title"] == "Baromètre 2030"
    assert metadata["organization"] == "Décider ensemble"
    assert (metadata["license"], metadata["license_title"]) == ("lov2", "Licence Ouverte 2.0")
    assert metadata["frequency"] == "annual"
    assert metadata["temporal_coverage"] == {"start": "2030-01-01", "end": "2030-12-31"}
    assert metadata["spatial"]["zones"] == ["country:fr"]
    assert metadata["last_modified"][:4] == str(date.today().year)
    assert "__statut" in metadata["description"]


@pytest.mark.parametrize("status", [Edition.Status.DRAFT, Edition.Status.OPEN, "closed"])
def test_an_unpublished_edition_has_no_open_data(client, edition, status):
    edition.status = status
    edition.save()
    assert client.get(url(edition)).status_code == 404
    assert client.get(reverse("results:public", args=[edition.year])).status_code == 404


def test_a_published_edition_that_declares_nothing_publishes_nothing(client, edition):
    edition.opendata_questions = []
    edition.save()
    assert client.get(url(edition)).status_code == 404
    page = client.get(reverse("results:public", args=[edition.year])).content.decode()
    assert "Données ouvertes" not in page
    assert client.get("/resultats/1999/publics/donnees/").status_code == 404


def test_the_public_page_links_the_package_and_says_what_it_holds(client, edition):
    page = client.get(reverse("results:public", args=[edition.year])).content.decode()
    assert f'href="{url(edition)}"' in page
    assert "les réponses à 4 questions, déclarées publiables" in page


def test_it_builds_once_per_results_generation_and_forgets_the_older(edition):
    first = stored_package(edition)
    assert stored_package(edition) == first
    recompute(edition)
    second = package_name(edition)
    assert second != first
    assert stored_package(edition) == second
    assert not default_storage.exists(first)
    assert default_storage.exists(second)


def test_publication_builds_the_package_before_any_request(
    db, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    edition.opendata_questions = DECLARED
    edition.status = Edition.Status.CLOSED
    with django_capture_on_commit_callbacks(execute=True):
        edition.save()
    assert not default_storage.exists(package_name(edition))
    edition.status = Edition.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        edition.save()
    assert default_storage.exists(package_name(edition))


def test_a_new_computation_of_the_results_refreshes_the_package(edition):
    first = stored_package(edition)
    recompute_edition_results(edition.pk)
    assert package_name(edition) != first
    assert default_storage.exists(package_name(edition))
    assert not default_storage.exists(first)
