"""The public results page is rendered once per results generation and publication, then served
from the cache; a correction (erratum), a republication or an edited edition shows at once."""

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.backoffice import lifecycle
from surveys.models import Edition
from tests.results.test_published_figures import YEAR, correct, published, response_of  # noqa: F401

pytestmark = pytest.mark.django_db

URL = reverse("results:public", args=[YEAR])


def test_the_second_visit_reads_neither_figures_nor_errata(published, client):  # noqa: F811
    first = client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL).content.decode()
    assert second == first
    assert "(version 1)" in second and ">63 %<" in second
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # The edition, then the version of its published figures: not the figures themselves.
    assert len(selects) == 2, selects
    assert 'FROM "surveys_edition"' in selects[0]
    assert 'MAX("results_publishedfigures"."version")' in selects[1]


def test_a_correction_shows_its_erratum_on_the_next_visit(
    published,  # noqa: F811
    alice,
    client,
    django_capture_on_commit_callbacks,
):
    assert "Aucun erratum depuis la publication" in client.get(URL).content.decode()
    correct(
        response_of(published, 12),
        "canaux",
        {"canaux": ["x"]},
        alice,
        "Site internet oublié",
        django_capture_on_commit_callbacks,
    )
    page = client.get(URL).content.decode()
    assert "Errata depuis la publication du" in page
    assert "63 % (10)" in page and "69 % (11)" in page
    assert ">63 %<" in page  # the frozen figure stays


def test_a_republication_replaces_the_cached_page(
    published,  # noqa: F811
    alice,
    client,
    django_capture_on_commit_callbacks,
):
    assert "(version 1)" in client.get(URL).content.decode()
    correct(
        response_of(published, 12),
        "canaux",
        {"canaux": ["x"]},
        alice,
        "Site internet oublié",
        django_capture_on_commit_callbacks,
    )
    client.get(URL)
    lifecycle.change_status(Edition.objects.get(year=YEAR), "republier", alice)
    page = client.get(URL).content.decode()
    assert "(version 2)" in page and ">69 %<" in page
    assert "Aucun erratum depuis la publication" in page


def test_an_edited_edition_title_shows_on_the_next_visit(published, client):  # noqa: F811
    client.get(URL)
    published.title = "Baromètre renommé"
    published.save()
    assert "Résultats — Baromètre renommé" in client.get(URL).content.decode()


def test_the_public_page_is_sent_gzipped_to_a_phone_that_accepts_it(published, client):  # noqa: F811
    client.get(URL)
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert "(version 1)" in html
    # Django pads the gzip header with up to 100 random bytes (against BREACH): on a page this
    # small, compare with a margin for them.
    assert len(response.content) < len(html.encode()) / 2
