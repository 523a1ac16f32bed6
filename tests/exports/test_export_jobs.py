from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportJob
from exports.services.jobs import reap_jobs
from exports.tasks import run_export
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    return edition


def start(client, user, edition, django_capture_on_commit_callbacks, **data):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports:list"),
            {"edition": edition.pk, "format": "xlsx", "answers": "codes", **data},
        )
    return response


def test_an_analyst_starts_an_export_and_downloads_the_workbook(
    client, bob, edition, django_capture_on_commit_callbacks
):
    response = start(
        client, bob, edition, django_capture_on_commit_callbacks,
        type_collectivite=["commune", "departement"], status=["submitted", "validated"],
    )  # fmt: skip
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert job.created_by == bob
    assert job.filters == {
        "type_collectivite": ["commune", "departement"],
        "status": ["submitted", "validated"],
    }
    assert job.status == ExportJob.Status.DONE
    assert (job.progress, job.rows_done, job.rows_total) == (100, 4, 4)
    assert job.expires_at > timezone.now() + timedelta(hours=71)

    page = client.get(reverse("exports:job", args=[job.pk]))
    assert "Terminé" in page.content.decode()
    assert reverse("exports:download", args=[job.pk]) in page.content.decode()

    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    path = job.file.path
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = [row[0] for row in workbook["Réponses"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Rennes", "Ille-et-Vilaine"]
    assert b"".join(download.streaming_content) == open(path, "rb").read()


def test_a_csv_export_stores_its_table_schema(
    client, alice, edition, django_capture_on_commit_callbacks
):
    start(client, alice, edition, django_capture_on_commit_callbacks, format="csv")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    csv_response = client.get(reverse("exports:download", args=[job.pk]))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(csv_response.streaming_content).decode("utf-8")
    assert content.splitlines()[0].startswith("collectivite,code_insee,siren,")
    schema = client.get(reverse("exports:schema", args=[job.pk]))
    assert schema.status_code == 200
    assert b'"fields"' in b"".join(schema.streaming_content)


def test_the_status_endpoint_reports_progress(client, bob, edition):
    job = ExportJob.objects.create(
        edition=edition, format="xlsx", status="running", progress=40, rows_done=2, rows_total=5
    )
    client.force_login(bob)
    state = client.get(reverse("exports:status", args=[job.pk])).json()
    assert state["status"] == "running"
    assert (state["progress"], state["rows_done"], state["rows_total"]) == (40, 2, 5)
    assert state["finished"] is False
    assert state["download_url"] is None


def test_the_job_page_polls_its_status_and_offers_a_plain_refresh_link(client, bob, edition):
    job = ExportJob.objects.create(edition=edition, format="xlsx", status="running")
    client.force_login(bob)
    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert f'data-status-url="{reverse("exports:status", args=[job.pk])}"' in html
    assert "data-export-refresh" in html
    assert 'http-equiv="refresh"' not in html


def test_a_pending_job_cannot_be_downloaded(client, bob, edition):
    job = ExportJob.objects.create(edition=edition, format="xlsx")
    client.force_login(bob)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_a_failing_export_is_marked_failed_with_its_error(edition, monkeypatch):
    job = ExportJob.objects.create(edition=edition, format="xlsx")

    def explode(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("exports.services.jobs.write_xlsx", explode)
    assert run_export.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "disque plein" in job.error


def test_the_reaper_fails_stuck_jobs_and_expires_old_files(edition, settings):
    settings.EXPORT_TIME_LIMIT = 600
    now = timezone.now()
    stuck = ExportJob.objects.create(
        edition=edition, format="xlsx", status="running", started_at=now - timedelta(minutes=11)
    )
    lost = ExportJob.objects.create(edition=edition, format="xlsx")
    ExportJob.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=30))
    busy = ExportJob.objects.create(
        edition=edition, format="xlsx", status="running", started_at=now - timedelta(minutes=5)
    )
    old = ExportJob.objects.create(edition=edition, format="xlsx")
    run_export.delay(old.pk)
    old.refresh_from_db()
    stored = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(expires_at=now - timedelta(minutes=1))

    assert reap_jobs(now) == (2, 1)

    stuck.refresh_from_db()
    assert stuck.status == ExportJob.Status.FAILED
    assert "temps imparti (10 min)" in stuck.error
    lost.refresh_from_db()
    assert lost.status == ExportJob.Status.FAILED
    busy.refresh_from_db()
    assert busy.status == ExportJob.Status.RUNNING
    old.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED
    assert not old.file
    import os

    assert not os.path.exists(stored)


def test_a_failed_job_can_be_restarted_from_its_page(
    client, bob, edition, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(
        edition=edition, format="xlsx", status="failed", error="Interrompu", progress=30
    )
    client.force_login(bob)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert reverse("exports:restart", args=[job.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:restart", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.error == ""
    assert job.file


def test_a_finished_job_is_not_restarted(client, bob, edition):
    job = ExportJob.objects.create(edition=edition, format="xlsx", status="running")
    client.force_login(bob)
    client.post(reverse("exports:restart", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING


def test_the_staff_home_links_to_the_exports(client, bob):
    client.force_login(bob)
    assert reverse("exports:list") in client.get(reverse("backoffice:home")).content.decode()
