"""The public API's open data serves the same per-collectivité rows as the public package."""

import csv
import io
import zipfile

import pytest

from tests.api.conftest import client_with
from tests.results.results_data import build_2021


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(db):
    edition = build_2021()
    edition.status = "published"
    edition.opendata_questions = ["service_dedie", "dispositifs_existants"]
    edition.save()
    return edition


def test_it_serves_the_rows_of_the_public_package(published):
    payload = client_with().get("/api/v1/public/editions/2021/opendata/").json()
    dataset = payload["collectivites"]
    assert dataset["download_url"] == "http://testserver/resultats/2021/publics/donnees/"
    names = [field["name"] for field in dataset["fields"]]
    assert "service_dedie" in names and "apports_transparence" not in names
    package = client_with().get("/resultats/2021/publics/donnees/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content)))
    rows = list(csv.DictReader(io.StringIO(archive.read("reponses.csv").decode())))
    assert [row["collectivite"] for row in rows] == [row["collectivite"] for row in dataset["rows"]]
    assert [row["service_dedie"] or None for row in rows] == [
        row["service_dedie"] for row in dataset["rows"]
    ]
    assert {type(row["population"]) for row in dataset["rows"]} == {int}
    # The aggregated table is still there, under the statistical secret.
    assert payload["rows"] and payload["min_respondents"] == 5


def test_an_edition_that_declares_nothing_serves_no_collectivite(published):
    published.opendata_questions = []
    published.save()
    payload = client_with().get("/api/v1/public/editions/2021/opendata/").json()
    assert payload["collectivites"] is None
