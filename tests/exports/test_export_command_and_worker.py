import time
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from barometre.tasks import enqueue_on_commit
from exports.models import ExportJob
from exports.tasks import run_export
from tests.exports.export_data import build_edition, build_responses


def test_the_command_runs_the_same_exporter(db, rennes, metz_metropole, tmp_path):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    output = tmp_path / "reponses.xlsx"
    out = StringIO()
    call_command(
        "export_responses", "--edition", "2030", "--format", "xlsx", "--output", str(output),
        "--labels", stdout=out,
    )  # fmt: skip
    assert "lignes écrites" in out.getvalue()
    workbook = openpyxl.load_workbook(output, read_only=True)
    assert workbook.sheetnames == [
        "Réponses",
        "Dispositifs",
        "Dictionnaire",
        "Agrégats",
        "Représentativité",
    ]
    rows = list(workbook["Réponses"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert rows[0][:4] == ("Rennes", "35238", "213502388", "Commune")

    csv_output = tmp_path / "reponses.csv"
    call_command(
        "export_responses", "--edition", "2030", "--format", "csv", "--output", str(csv_output),
        stdout=StringIO(),
    )  # fmt: skip
    assert (tmp_path / "reponses.schema.json").exists()


def test_the_command_names_an_unknown_edition(db, tmp_path):
    with pytest.raises(CommandError, match="Aucune édition 1999"):
        call_command("export_responses", "--edition", "1999", "--output", str(tmp_path / "x"))


@pytest.mark.worker
def test_a_real_worker_builds_and_stores_the_export(
    celery_worker, rennes, metz_metropole, tmp_path
):
    from django.db import transaction

    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    with transaction.atomic():
        job = ExportJob.objects.create(edition=edition, format="xlsx", answers="codes")
        enqueue_on_commit(run_export, job.pk)

    deadline = time.monotonic() + 60
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert time.monotonic() < deadline, "le worker n'a pas terminé l'export"
        time.sleep(0.3)

    assert job.status == ExportJob.Status.DONE, job.error
    assert job.task_id
    assert job.progress == 100
    # The worker stores through the default storage under its MEDIA_ROOT (see celery_worker).
    stored = tmp_path / "media" / job.file.name
    assert stored.exists()
    workbook = openpyxl.load_workbook(Path(stored), read_only=True)
    names = [row[0] for row in workbook["Réponses"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Rennes", "Ille-et-Vilaine", "Metz Métropole"]
    roster = list(workbook["Dispositifs"].iter_rows(min_row=2, values_only=True))
    assert len(roster) == 3


def test_the_command_writes_the_excel_csv_of_chosen_sections(db, rennes, metz_metropole, tmp_path):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    output = tmp_path / "excel.csv"
    call_command(
        "export_responses", "--edition", "2030", "--format", "csvfr", "--output", str(output),
        "--sections", "moyens", "--intitules", stdout=StringIO(),
    )  # fmt: skip
    header = output.read_bytes().split(b"\r\n")[0].decode("utf-8")
    assert header.startswith("\ufeffNom de la collectivité;Code INSEE")
    assert "Nombre d'ETP" in header and "Quelle est votre fonction ?" not in header
    with pytest.raises(CommandError, match="n'a pas de section : covid"):
        call_command(
            "export_responses", "--edition", "2030", "--output", str(output),
            "--sections", "moyens", "covid",
        )  # fmt: skip


@pytest.mark.worker
def test_a_real_worker_builds_the_excel_csv_of_one_section(
    celery_worker, rennes, metz_metropole, tmp_path
):
    from django.db import transaction

    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    with transaction.atomic():
        job = ExportJob.objects.create(
            edition=edition,
            format=ExportJob.Format.CSV_EXCEL_FR,
            answers="labels",
            sections=["moyens"],
            filters={"status": ["submitted", "validated"]},
        )
        enqueue_on_commit(run_export, job.pk)

    deadline = time.monotonic() + 60
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert time.monotonic() < deadline, "le worker n'a pas terminé l'export"
        time.sleep(0.3)

    assert job.status == ExportJob.Status.DONE, job.error
    stored = tmp_path / "media" / job.file.name
    lines = stored.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0].startswith("\ufeffcollectivite;code_insee;")
    assert "budget_participation__statut" in lines[0] and "fonction_repondant" not in lines[0]
    assert [line.split(";")[0] for line in lines[1:-1]] == ["Rennes", "Ille-et-Vilaine"]
    assert ";2,5;" in lines[1]


def test_the_command_writes_the_stata_zip(db, rennes, metz_metropole, tmp_path):
    import zipfile

    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    output = tmp_path / "stata.zip"
    out = StringIO()
    call_command(
        "export_responses", "--edition", "2030", "--format", "dta", "--output", str(output),
        stdout=out,
    )  # fmt: skip
    assert "3 lignes écrites" in out.getvalue()
    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == [
            "dictionnaire.csv",
            "dispositifs.dta",
            "reponses.dta",
        ]


@pytest.mark.worker
def test_a_real_worker_builds_the_spss_zip(celery_worker, rennes, metz_metropole, tmp_path):
    import zipfile

    import pyreadstat
    from django.db import transaction

    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    with transaction.atomic():
        job = ExportJob.objects.create(edition=edition, format=ExportJob.Format.SAV)
        enqueue_on_commit(run_export, job.pk)

    deadline = time.monotonic() + 60
    while True:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert time.monotonic() < deadline, "le worker n'a pas terminé l'export"
        time.sleep(0.3)

    assert job.status == ExportJob.Status.DONE, job.error
    assert job.progress == 100
    stored = tmp_path / "media" / job.file.name
    assert stored.name.endswith("-spss.zip")
    with zipfile.ZipFile(stored) as archive:
        archive.extractall(tmp_path / "zip")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "zip" / "reponses.sav"), user_missing=True)
    assert list(frame["collectivite"]) == ["Rennes", "Ille-et-Vilaine", "Metz Métropole"]
    assert list(frame["budget_participation"])[:2] == [450000, -999999]
    assert meta.variable_value_labels["budget_participation"][-999999] == "Ne sait pas"
    roster, _meta = pyreadstat.read_sav(str(tmp_path / "zip" / "dispositifs.sav"))
    assert len(roster) == 3
