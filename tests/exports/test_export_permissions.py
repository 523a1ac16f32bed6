import pytest
from django.urls import reverse

from exports.models import ExportJob
from tests.exports.export_data import build_edition


@pytest.fixture
def job(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    edition = build_edition()
    job = ExportJob.objects.create(edition=edition, format="xlsx", status="failed")
    return job


def urls(job):
    return [
        ("get", reverse("exports:list")),
        ("post", reverse("exports:list")),
        ("get", reverse("exports:job", args=[job.pk])),
        ("get", reverse("exports:status", args=[job.pk])),
        ("get", reverse("exports:download", args=[job.pk])),
        ("get", reverse("exports:schema", args=[job.pk])),
        ("post", reverse("exports:restart", args=[job.pk])),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, job):
    for method, url in urls(job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_users_without_a_role_are_refused(client, charlie, job):
    client.force_login(charlie)
    for method, url in urls(job):
        assert getattr(client, method)(url).status_code == 403, url


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_staff_and_analysts_reach_the_export_pages(client, job, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("exports:list")).status_code == 200
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 200
    assert client.get(reverse("exports:status", args=[job.pk])).status_code == 200
