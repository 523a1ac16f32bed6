import gzip

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_are_sent_compressed_to_browsers_that_accept_gzip(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert '<html lang="fr">' in html
    assert len(response.content) < len(html.encode()) / 2


@pytest.mark.django_db
def test_pages_stay_plain_for_clients_that_do_not_ask_for_compression(client):
    response = client.get(reverse("home"))
    assert not response.has_header("Content-Encoding")
    assert '<html lang="fr">' in response.content.decode()
