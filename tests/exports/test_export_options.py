"""Export options: sections, column headers as codes or titles, the new formats in the form."""

import csv
import json

import openpyxl
import pytest
from django.urls import reverse

from exports.forms import ExportJobForm
from exports.models import ExportJob
from exports.services.jobs import export_responses, schema_path
from surveys.models import Edition, Section
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    return edition


def test_it_exports_only_the_chosen_sections(edition, tmp_path):
    path = tmp_path / "moyens.csv"
    export_responses(edition, "csv", path, labels=False, sections=["moyens"])
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:11] == [
        "collectivite", "code_insee", "siren", "type_collectivite", "population",
        "tranche_population", "region", "statut", "cree_le", "envoye_le", "valide_le",
    ]  # fmt: skip
    assert header[11:] == [
        "nb_agents", "etp_participation", "budget_participation", "budget_participation__statut",
        "service_intitule", "changements_prevus", "fiches_dispositifs", "budget_par_habitant",
    ]  # fmt: skip


def test_it_writes_the_titles_as_headers_and_the_schema_follows(edition, tmp_path):
    path = tmp_path / "titres.csv"
    export_responses(edition, "csv", path, sections=["moyens"], header_labels=True)
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "Nom de la collectivité"
    assert rows[0][12] == "Nombre d'ETP"
    schema = json.loads(schema_path(path).read_text(encoding="utf-8"))
    assert [field["name"] for field in schema["fields"]] == rows[0]

    workbook_path = tmp_path / "titres.xlsx"
    export_responses(edition, "xlsx", workbook_path, header_labels=True)
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook["Réponses"]["A1"].value == "Nom de la collectivité"
    # The dictionary still maps every column to its code.
    dictionary = list(workbook["Dictionnaire"].iter_rows(values_only=True))
    assert dictionary[0][:2] == ("Feuille", "Colonne")
    assert ("Réponses", "collectivite") in {row[:2] for row in dictionary}


def test_the_form_proposes_the_excel_csv_with_the_workbook_by_default(db):
    form = ExportJobForm()
    assert ("csvfr", "CSV pour Excel (France)") in form.fields["format"].choices
    assert form.fields["format"].initial == "xlsx"
    assert form.fields["headers"].initial == "codes"


def test_the_form_refuses_a_section_of_another_edition_in_french(edition, db):
    other = Edition.objects.create(year=2031, title="Baromètre 2031")
    Section.objects.create(edition=other, code="covid", title="Crise sanitaire", order=1)
    form = ExportJobForm(
        {"edition": edition.pk, "format": "csvfr", "answers": "codes", "sections": ["covid"]}
    )
    assert not form.is_valid()
    assert form.errors["sections"] == [
        "L'édition 2030 n'a pas de section « covid » : choisissez des sections de cette édition."
    ]
    stray = ExportJobForm(
        {"edition": edition.pk, "format": "pdf", "answers": "codes", "headers": "x"}
    )
    assert not stray.is_valid()
    assert set(stray.errors) == {"format", "headers"}


def test_an_analyst_runs_an_excel_csv_of_one_section_with_titles(
    client, bob, edition, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exports:list"),
            {
                "edition": edition.pk,
                "format": "csvfr",
                "answers": "labels",
                "headers": "labels",
                "sections": ["profil"],
                "status": ["submitted", "validated"],
            },
        )
    job = ExportJob.objects.get()
    assert (job.format, job.headers, job.sections) == ("csvfr", "labels", ["profil"])
    assert job.status == ExportJob.Status.DONE
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "CSV pour Excel (France), réponses en libellés, en-têtes : intitulés des questions" in (
        page
    )
    assert "statuts : Envoyée, Validée" in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download["Content-Disposition"].endswith(f'-reponses-{job.pk}-excel.csv"')
    body = b"".join(download.streaming_content)
    assert body.startswith("\ufeffNom de la collectivité;".encode())
    assert "Quelle est votre fonction ?" in body.decode()
    assert "Nombre d'ETP" not in body.decode()


def test_it_leaves_out_the_chosen_column_groups_everywhere(edition, tmp_path):
    path = tmp_path / "sans.xlsx"
    export_responses(edition, "xlsx", path, labels=False, omit=["dates", "precisions", "listes"])
    workbook = openpyxl.load_workbook(path)
    header, *rows = list(workbook["Réponses"].iter_rows(values_only=True))
    for name in ("cree_le", "envoye_le", "valide_le", "fonction_repondant_autre"):
        assert name not in header
    assert "outils_numeriques" not in header and "outils_numeriques_open_data" in header
    rennes = dict(zip(header, rows[0], strict=True))
    assert (rennes["statut"], rennes["nb_agents"], rennes["outils_numeriques_autre_coche"]) == (
        "submitted",
        12,
        1,
    )
    roster_header = next(workbook["Dispositifs"].iter_rows(values_only=True))
    assert "objectifs_dispositif_autre" not in roster_header
    assert "objectifs_dispositif_informer" in roster_header
    dictionary = {row[1] for row in workbook["Dictionnaire"].iter_rows(values_only=True)}
    assert "cree_le" not in dictionary and "nb_agents" in dictionary


def test_the_job_page_names_the_columns_left_out_in_french(
    client, bob, edition, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exports:list"),
            {"edition": edition.pk, "format": "csv", "answers": "codes",
             "omitted_columns": ["dates", "precisions"]},
        )  # fmt: skip
    job = ExportJob.objects.get()
    assert job.omitted_columns == ["dates", "precisions"]
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "Dates de la réponse (commencée, envoyée, validée) ; Textes « précisez »" in page
    header = client.get(reverse("exports:download", args=[job.pk]))
    first = b"".join(header.streaming_content).decode().splitlines()[0].split(",")
    assert "cree_le" not in first and "fonction_repondant_autre" not in first
    schema = json.loads(
        b"".join(client.get(reverse("exports:schema", args=[job.pk])).streaming_content)
    )
    assert [field["name"] for field in schema["fields"]] == first
