"""SPSS (.sav) and Stata (.dta) exports, read back with pyreadstat: values, labels, missing."""

import csv
import io
import math
import zipfile
from datetime import datetime

import pyreadstat
import pytest

from exports.models import ExportJob
from exports.services.jobs import export_responses
from exports.services.statistical import (
    NSP_SPSS,
    SANS_OBJET_SPSS,
    SPSS_TEXT_LIMIT,
    variable_names,
)
from surveys.models import Answer, Edition, Question, Section
from tests.exports.export_data import _question, answer, build_edition, build_responses


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    responses = build_responses(edition, rennes, metz_metropole)
    moyens = Section.objects.get(edition=edition, code="moyens")
    # Asked to communes only: Metz Métropole and Ille-et-Vilaine are « sans objet ».
    _question(
        edition, moyens, 20, "nb_conseils", Question.Type.INTEGER, "Conseils de quartier",
        condition="type_collectivite = commune",
    )  # fmt: skip
    answer(responses["rennes"], "nb_conseils", 7)
    answer(responses["ille"], "objectifs", {"transparence": "nsp"})
    return edition


def unzip(path, tmp_path) -> dict:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "zip")
        return {name: tmp_path / "zip" / name for name in archive.namelist()}


def read(path, fmt, **options):
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), **options)
    return frame.set_index("collectivite", drop=False) if "collectivite" in frame else frame, meta


def export(edition, tmp_path, fmt):
    path = tmp_path / f"export-{fmt}.zip"
    rows = export_responses(edition, fmt, path, labels=True, header_labels=True)
    return rows, unzip(path, tmp_path)


def test_the_spss_zip_holds_both_tables_and_the_dictionary(edition, tmp_path):
    rows, files = export(edition, tmp_path, "sav")
    assert rows == 3
    assert sorted(files) == ["dictionnaire.csv", "dispositifs.sav", "reponses.sav"]
    roster, _meta = read(files["dispositifs.sav"], "sav")
    assert sorted(roster["nom"]) == ["@moderation", "Carte des projets", "Fabrique citoyenne"]


def test_spss_reads_back_codes_labels_and_value_labels(edition, tmp_path):
    _rows, files = export(edition, tmp_path, "sav")
    frame, meta = read(files["reponses.sav"], "sav")
    labels = meta.column_names_to_labels
    # Names are the codes, whatever the header option; labels are the questions.
    assert labels["fonction_repondant"] == "Quelle est votre fonction ?"
    assert meta.variable_value_labels["fonction_repondant"] == {
        1.0: "Élu·e",
        2.0: "Direction générale",
        3.0: "Autre",
    }
    assert frame.loc["Rennes", "fonction_repondant"] == 3
    assert frame.loc["Rennes", "fonction_repondant_autre"] == "Chargée de mission démocratie"
    # Multiple choices: one 0/1 column per choice, labelled.
    assert frame.loc["Rennes", "outils_numeriques_site_information"] == 1
    assert frame.loc["Rennes", "outils_numeriques_open_data"] == 0
    assert meta.variable_value_labels["outils_numeriques_open_data"] == {
        0.0: "non coché",
        1.0: "coché",
    }
    # Likert scale: 1..n in the definition's order.
    assert frame.loc["Rennes", "objectifs_transparence"] == 1
    assert frame.loc["Rennes", "objectifs_augmenter_participants"] == 2
    assert meta.variable_value_labels["objectifs_transparence"][4.0] == "Non, pas du tout"
    # Numbers as numbers, dates as dates.
    assert frame.loc["Rennes", "budget_participation"] == 450000
    assert frame.loc["Rennes", "etp_participation"] == 2.5
    assert frame.loc["Metz Métropole", "nb_agents"] == -3
    assert frame.loc["Rennes", "envoye_le"] == datetime(2030, 5, 3, 14, 30, 12)
    assert frame.loc["Rennes", "type_collectivite"] == 1
    assert meta.variable_value_labels["type_collectivite"][1.0] == "Commune"
    assert meta.variable_value_labels["statut"][frame.loc["Rennes", "statut"]] == "Envoyée"


def test_spss_keeps_ne_sait_pas_and_sans_objet_as_user_missing_values(edition, tmp_path):
    _rows, files = export(edition, tmp_path, "sav")
    frame, meta = read(files["reponses.sav"], "sav", user_missing=True)
    assert frame.loc["Ille-et-Vilaine", "budget_participation"] == NSP_SPSS
    assert frame.loc["Metz Métropole", "nb_conseils"] == SANS_OBJET_SPSS
    assert frame.loc["Rennes", "nb_conseils"] == 7
    # Unanswered: system missing, neither code.
    assert math.isnan(frame.loc["Metz Métropole", "budget_participation"])
    assert meta.variable_value_labels["budget_participation"][NSP_SPSS] == "Ne sait pas"
    assert {r["lo"] for r in meta.missing_ranges["budget_participation"]} == {
        NSP_SPSS,
        SANS_OBJET_SPSS,
    }
    # A « Ne sait pas » choice of a scale is a user-missing value too.
    assert frame.loc["Ille-et-Vilaine", "objectifs_transparence"] == 5
    assert meta.missing_ranges["objectifs_transparence"] == [{"lo": 5.0, "hi": 5.0}]
    # Read without them, they are missing: means leave them out.
    plain, _meta = read(files["reponses.sav"], "sav")
    assert math.isnan(plain.loc["Ille-et-Vilaine", "budget_participation"])
    assert math.isnan(plain.loc["Ille-et-Vilaine", "objectifs_transparence"])


def test_stata_uses_extended_missing_values_and_short_names(edition, tmp_path):
    _rows, files = export(edition, tmp_path, "dta")
    assert sorted(files) == ["dictionnaire.csv", "dispositifs.dta", "reponses.dta"]
    frame, meta = read(files["reponses.dta"], "dta", user_missing=True)
    assert all(len(name) <= 28 for name in frame.columns)
    # `outils_numeriques_site_information` has 34 characters: cut to 28.
    assert frame.loc["Rennes", "outils_numeriques_site_infor"] == 1
    assert frame.loc["Ille-et-Vilaine", "budget_participation"] == "a"
    assert frame.loc["Metz Métropole", "nb_conseils"] == "b"
    assert frame.loc["Rennes", "budget_participation"] == 450000
    assert meta.variable_value_labels["budget_participation"] == {
        "a": "Ne sait pas",
        "b": "Sans objet (question non posée)",
    }
    assert frame.loc["Ille-et-Vilaine", "objectifs_transparence"] == "a"
    assert frame.loc["Rennes", "objectifs_transparence"] == 1
    assert meta.variable_value_labels["objectifs_transparence"]["a"] == "Ne sait pas"
    assert 5 not in meta.variable_value_labels["objectifs_transparence"]
    assert meta.column_names_to_labels["fonction_repondant"] == "Quelle est votre fonction ?"
    assert frame.loc["Rennes", "cree_le"] == datetime(2030, 4, 2, 9, 0, 0)


def test_the_dictionary_names_each_variable_and_its_coding(edition, tmp_path):
    _rows, files = export(edition, tmp_path, "dta")
    rows = list(csv.DictReader(io.StringIO(files["dictionnaire.csv"].read_text("utf-8"))))
    by_column = {(row["fichier"], row["colonne"]): row for row in rows}
    cut = by_column["reponses.dta", "outils_numeriques_site_information"]
    assert cut["variable"] == "outils_numeriques_site_infor"
    assert cut["codage"] == "0 = non coché ; 1 = coché"
    budget = by_column["reponses.dta", "budget_participation"]
    assert budget["valeurs_manquantes"] == ".a ; .b"
    assert "1 = Oui, tout à fait" in by_column["reponses.dta", "objectifs_transparence"]["codage"]
    assert ("dispositifs.dta", "famille") in by_column


def test_long_labels_are_cut_to_the_format(edition, tmp_path):
    Question.objects.filter(edition=edition, code="service_intitule").update(text="Intitulé " * 60)
    _rows, files = export(edition, tmp_path, "dta")
    _frame, meta = read(files["reponses.dta"], "dta")
    label = meta.column_names_to_labels["service_intitule"]
    assert len(label) == 80 and label.endswith("…")
    _rows, files = export(edition, tmp_path, "sav")
    _frame, meta = read(files["reponses.sav"], "sav")
    assert len(meta.column_names_to_labels["service_intitule"].encode("utf-8")) <= 256


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stray_bytes_and_long_texts_do_not_break_the_file(edition, tmp_path, fmt):
    rennes = Answer.objects.filter(response__collectivite__name="Rennes", item=0)
    # Bytes PostgreSQL accepts in a JSON text (it refuses NUL and lone surrogates, which the
    # answer's cleaning never lets through anyway).
    rennes.filter(question__code="service_intitule").update(
        value="Ser\x01vice\x1b démo\rcratie\x7f"
    )
    long_text = "Une très longue réponse. " * 3000  # 75,000 characters
    rennes.filter(question__code="changements_prevus").update(value=long_text)
    _rows, files = export(edition, tmp_path, fmt)
    frame, _meta = read(files[f"reponses.{fmt}"], fmt)
    assert frame.loc["Rennes", "service_intitule"] == "Service démo\ncratie"
    text = frame.loc["Rennes", "changements_prevus"]
    if fmt == "dta":
        assert text == long_text
    else:
        assert len(text.encode("utf-8")) <= SPSS_TEXT_LIMIT and text.endswith("…")
    assert frame.loc["Ille-et-Vilaine", "service_intitule"].startswith("=HYPERLINK")


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_an_edition_without_respondents_gives_empty_tables(db, tmp_path, fmt):
    edition = build_edition(2031)
    rows, files = export(edition, tmp_path, fmt)
    assert rows == 0
    frame, meta = read(files[f"reponses.{fmt}"], fmt)
    assert len(frame) == 0
    assert meta.column_names_to_labels["fonction_repondant"] == "Quelle est votre fonction ?"
    # Dates stay dates, and numbers numbers, with no value at all.
    assert meta.original_variable_types["cree_le"] in ("DATETIME20", "%tc")
    assert meta.readstat_variable_types["nb_agents"] == "double"


def test_an_edition_without_rosters_has_no_dispositifs_file(db, rennes, tmp_path):
    edition = Edition.objects.create(year=2032, title="Baromètre 2032")
    section = Section.objects.create(edition=edition, code="profil", title="Profil", order=1)
    _question(edition, section, 1, "nb_agents", Question.Type.INTEGER, "Agents")
    _rows, files = export(edition, tmp_path, "sav")
    assert sorted(files) == ["dictionnaire.csv", "reponses.sav"]


def test_names_are_valid_and_distinct_for_each_format():
    long = "a" * 40
    assert variable_names([long, long + "b", "with", "1k_5k", "é_t"], "dta") == [
        "a" * 28,
        "a" * 26 + "_2",
        "with_",
        "v1k_5k",
        "v__t",
    ]
    assert variable_names([long, "by", "int"], "sav") == [long, "by_", "int"]


def test_the_job_names_its_zip_after_the_package(edition):
    job = ExportJob.objects.create(
        edition=edition, format=ExportJob.Format.DTA, answers="labels", headers="labels"
    )
    # Coded answers under the column codes, whatever was asked: the job page says so.
    assert (job.answers, job.headers) == ("codes", "codes")
    assert job.filename() == f"barometre-2030-reponses-{job.pk}-stata.zip"
    assert job.content_type == "application/zip"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_rows_gathered_in_several_chunks_stay_in_order(edition, tmp_path, fmt, monkeypatch):
    from exports.services import statistical

    monkeypatch.setattr(statistical, "CHUNK", 2)
    _rows, files = export(edition, tmp_path, fmt)
    frame, _meta = read(files[f"reponses.{fmt}"], fmt)
    assert list(frame["collectivite"]) == ["Rennes", "Ille-et-Vilaine", "Metz Métropole"]
    assert frame.loc["Ille-et-Vilaine", "valide_le"] == datetime(2030, 5, 11, 18, 15, 0)
    assert frame.loc["Metz Métropole", "nb_agents"] == -3


def test_a_choice_the_definition_lost_and_a_long_choice_label_still_read_back(edition, tmp_path):
    question = Question.objects.get(edition=edition, code="fonction_repondant")
    question.choices.filter(code="dgs").update(label="Direction générale des services " * 8)
    scale = Question.objects.get(edition=edition, code="objectifs")
    scale.choices.filter(code="nsp").update(label="Je ne sais pas")
    Answer.objects.filter(question=question, value="elu").update(value="ancien_code")
    _rows, files = export(edition, tmp_path, "sav")
    frame, meta = read(files["reponses.sav"], "sav")
    labels = meta.variable_value_labels["fonction_repondant"]
    # The stale code gets the next number, labelled with the code itself.
    assert frame.loc["Ille-et-Vilaine", "fonction_repondant"] == 4
    assert labels[4.0] == "ancien_code"
    assert len(labels[2.0].encode("utf-8")) <= 120 and labels[2.0].endswith("…")
    # A « ne sait pas » choice is missing and keeps its own label.
    assert meta.variable_value_labels["objectifs_transparence"][5.0] == "Je ne sais pas"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_a_nul_byte_and_a_lone_surrogate_are_cleaned_before_writing(fmt):
    # Neither can reach the database (PostgreSQL refuses both); imported files could hold them.
    from exports.services.statistical import clean_text

    assert clean_text("Ser\x00vice\x1b démo\rcratie\ud800", fmt) == "Service démo\ncratie?"
