"""PDF documents: drawn with the fonts the app ships, never fetching anything from the network."""

import io
import socket
import threading

import pypdf
import pytest

from barometre import pdf


@pytest.fixture
def template(tmp_path, settings):
    # pytest-django's settings fixture announces the change: Django rebuilds its engines.
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    def write(html):
        (tmp_path / "doc.html").write_text(html, encoding="utf-8")
        return "doc.html"

    return write


def text_of(document: bytes) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text().split())


def fonts_of(document: bytes) -> list[str]:
    page = pypdf.PdfReader(io.BytesIO(document)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return sorted(str(fonts[key].get_object()["/BaseFont"]).split("+")[-1] for key in fonts)


def test_it_draws_french_text_in_the_shipped_fonts(template):
    document = pdf.render_pdf(
        template("<p>Accusé de réception — {{ name }}</p><p><b>Budget</b> : 12 000 €</p>"),
        {"name": "Saint-Étienne"},
    )
    text = text_of(document)
    assert "Accusé de réception — Saint-Étienne" in text
    assert "Budget : 12 000 €" in text
    assert fonts_of(document) == ["DejaVu-Sans", "DejaVu-Sans-Bold"]


def test_it_never_fetches_an_address_on_the_network(template):
    # A server that counts the connections it receives.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connections = []

    def accept():
        try:
            connections.append(server.accept())
        except OSError:
            pass

    listener = threading.Thread(target=accept)
    listener.start()
    document = pdf.render_pdf(
        template(
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
            f'<p>Texte</p><img src="http://127.0.0.1:{port}/x.png" alt="">'
        ),
        {},
    )
    listener.join()
    server.close()
    assert connections == []
    assert text_of(document) == "Texte"


def test_the_fetcher_reads_the_projects_own_files_only():
    fetcher = pdf.local_files_fetcher()
    font = (pdf.FONT_DIR / "DejaVuSans.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    with pytest.raises(ValueError, match="ressource refusée"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="ressource refusée"):
        fetcher.fetch("https://example.org/font.ttf")


@pytest.mark.parametrize(
    "escape",
    ["/../../../../../../etc/hostname", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname"],
)
def test_the_fetcher_refuses_a_path_that_climbs_out_of_the_project(escape):
    fetcher = pdf.local_files_fetcher()
    with pytest.raises(ValueError, match="ressource refusée"):
        fetcher.fetch(pdf.FONT_DIR.as_uri() + escape)


def test_the_fetcher_refuses_a_file_on_another_host():
    with pytest.raises(ValueError, match="ressource refusée"):
        pdf.local_files_fetcher().fetch("file://serveur.example/partage/police.ttf")


def test_a_document_that_names_a_file_outside_the_project_is_drawn_without_it(template, caplog):
    escape = pdf.FONT_DIR.as_uri() + "/../../../../../../../etc/hostname"
    document = pdf.render_pdf(template(f'<p>Texte</p><img src="{escape}" alt="">'), {})
    assert text_of(document) == "Texte"
    assert "ressource refusée" in caplog.text


def test_the_document_is_tagged_and_in_french_for_screen_readers(template):
    document = pdf.render_pdf(template('<html lang="fr"><h1>Reçu</h1><p>Texte</p></html>'), {})
    catalog = pypdf.PdfReader(io.BytesIO(document)).trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "fr"
