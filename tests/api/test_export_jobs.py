import csv
import io

from api.sources import ExportJob


def test_staff_start_an_export_follow_it_and_download_it(
    staff_api, edition_2030, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = staff_api.post(
            "/api/v1/editions/2030/exports/",
            {"format": "csv", "answers": "codes", "region": ["53"], "status": ["submitted"]},
            format="json",
        )
    assert started.status_code == 202
    job_id = started.json()["id"]
    assert ExportJob.objects.get(pk=job_id).filters == {"region": ["53"], "status": ["submitted"]}
    job = staff_api.get(f"/api/v1/exports/{job_id}/").json()
    assert job["status"] == "done" and job["progress"] == 100
    assert job["download_url"].endswith(f"/api/v1/exports/{job_id}/download/")
    download = staff_api.get(f"/api/v1/exports/{job_id}/download/")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [row["fonction_repondant"] for row in rows] == ["autre"]


def test_an_analyst_follows_an_export_but_a_pending_one_has_no_file(
    analyst_api, edition_2030, alice
):
    edition, _responses = edition_2030
    job = ExportJob.objects.create(edition=edition, format="xlsx", created_by=alice)
    data = analyst_api.get(f"/api/v1/exports/{job.pk}/").json()
    assert (data["status"], data["download_url"]) == ("pending", None)
    assert analyst_api.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_a_bad_export_request_is_a_400(staff_api, edition_2030):
    response = staff_api.post("/api/v1/editions/2030/exports/", {"format": "pdf"}, format="json")
    assert response.status_code == 400 and "format" in response.json()
    assert not ExportJob.objects.exists()


def test_an_api_export_leaves_drafts_out_by_default_and_takes_sections_and_headers(
    staff_api, edition_2030, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = staff_api.post(
            "/api/v1/editions/2030/exports/",
            {
                "format": "csvfr",
                "headers": "labels",
                "sections": ["profil"],
                "omitted_columns": ["dates"],
            },
            format="json",
        )
    assert started.status_code == 202
    data = started.json()
    assert (data["format"], data["headers"], data["sections"]) == ("csvfr", "labels", ["profil"])
    assert data["omitted_columns"] == ["dates"]
    job = ExportJob.objects.get(pk=data["id"])
    assert job.filters == {"status": ["submitted", "validated"]}
    body = b"".join(staff_api.get(f"/api/v1/exports/{job.pk}/download/").streaming_content)
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("Nom de la collectivité;")
    assert "Réponse commencée le" not in lines[0]
    assert [line.split(";")[0] for line in lines[1:-1]] == ["Rennes", "Ille-et-Vilaine"]


def test_an_api_export_refuses_a_section_the_edition_does_not_have(staff_api, edition_2030):
    response = staff_api.post(
        "/api/v1/editions/2030/exports/",
        {"format": "xlsx", "sections": ["profil", "covid"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["sections"] == ["L'édition 2030 n'a pas de section « covid »."]
    assert not ExportJob.objects.exists()


def test_an_api_export_refuses_an_unknown_column_group(staff_api, edition_2030):
    response = staff_api.post(
        "/api/v1/editions/2030/exports/",
        {"format": "xlsx", "omitted_columns": ["contacts"]},
        format="json",
    )
    assert response.status_code == 400 and "omitted_columns" in response.json()
    assert not ExportJob.objects.exists()


def test_an_api_export_in_spss_downloads_a_zip_of_labelled_tables(
    staff_api, edition_2030, django_capture_on_commit_callbacks, tmp_path
):
    import zipfile

    import pyreadstat

    with django_capture_on_commit_callbacks(execute=True):
        started = staff_api.post("/api/v1/editions/2030/exports/", {"format": "sav"}, format="json")
    assert started.status_code == 202
    download = staff_api.get(f"/api/v1/exports/{started.json()['id']}/download/")
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith('-spss.zip"')
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"".join(download.streaming_content))
    with zipfile.ZipFile(archive) as stored:
        assert "dictionnaire.csv" in stored.namelist()
        stored.extract("reponses.sav", tmp_path)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "reponses.sav"))
    assert list(frame["collectivite"]) == ["Rennes", "Ille-et-Vilaine"]
    assert meta.column_names_to_labels["collectivite"] == "Nom de la collectivité"
