from django.urls import reverse

from exports.forms import ExportJobForm
from exports.models import ExportJob
from tests.exports.export_data import build_edition


def test_the_export_form_defaults_to_submitted_and_validated_responses(db):
    assert list(ExportJobForm().fields["status"].initial) == ["submitted", "validated"]


def test_the_job_page_names_the_status_filter_in_french(client, bob, db):
    edition = build_edition()
    job = ExportJob.objects.create(
        edition=edition, format="xlsx", filters={"status": ["submitted", "validated"]}
    )
    client.force_login(bob)
    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "statuts : Envoyée, Validée" in html
    assert "submitted" not in html
