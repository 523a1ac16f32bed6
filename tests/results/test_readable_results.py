"""A results page people can read: contents with anchors, units, French number formats, the
right words on hidden cells, and one ZIP with every chart as SVG and PNG and its data as CSV."""

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from exports.results.disclosure import suppress_question
from surveys.models import Edition, Section
from tests.results.results_data import (
    build_2018_ranking,
    build_2021,
    build_public,
    collectivite,
    question,
    respond,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def text_of(response) -> str:
    """The page's text with every kind of space as a plain one."""
    return re.sub(r"[\u202f\xa0]", " ", response.content.decode())


def build_money(year=2022) -> Edition:
    """Two collectivités spending 974 074,56 € each: mean and median 974 074,56 €."""
    edition = Edition.objects.create(year=year, title=f"Baromètre {year}", status="closed")
    section = Section.objects.create(edition=edition, code="m", title="Moyens", order=1)
    question(edition, section, "montant", "money", order=1)
    for n in range(2):
        respond(edition, collectivite(f"M{n}", 10_000, "53"), {"montant": "974074.56"})
    return edition


def test_the_contents_link_to_every_section_and_question_of_the_page(client, bob):
    build_2021()
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021])).content.decode()
    contents = page.split('<nav class="results-contents', 1)[1].split("</nav>", 1)[0]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    assert "section-1" in anchors and "q-service_dedie" in anchors and "q-besoins" in anchors
    for anchor in anchors:
        assert page.count(f'id="{anchor}"') == 1, anchor
    assert 'id="sommaire"' in page
    assert page.count('href="#sommaire">Retour au sommaire</a>') == 1  # one section


def test_money_figures_read_with_thousands_separators_and_the_euro_sign(client, bob):
    build_money()
    client.force_login(bob)
    page = text_of(client.get(reverse("results:edition", args=[2022])))
    assert "974 074,56 €" in page
    assert "974074" not in page
    assert "Moyenne (€)" in page and "Médiane (€)" in page


def test_tables_and_charts_state_their_units(client, bob):
    build_2021()
    client.force_login(bob)
    page = text_of(client.get(reverse("results:edition", args=[2021])))
    assert "71,4 %" in page  # oui to service_dedie
    assert "Part (%)" in page
    assert "72 083,33 €" in page  # mean budget
    assert "Moyenne (€/hab.)" in page and "1,75 €/hab." in page
    assert "Oui, tout à fait (%)" in page  # the matrix's columns
    assert "&quot;axis&quot;: &quot;% des répondants&quot;" in page or '"axis": "% des r' in page


def test_a_cell_hidden_to_protect_another_says_so_and_a_small_one_says_why(client):
    build_public()
    page = text_of(client.get(reverse("results:public", args=[2020])))
    # choix: b (4) and c (2) are small; multi: y (10 of 12) would give away the 2 who did not.
    assert page.count("masqué (moins de 5)") == 2
    assert page.count("masqué pour protéger une autre case") == 1


def test_only_the_cell_hidden_for_its_complement_is_marked_so():
    shown = suppress_question(
        {
            "type": "single",
            "kind": "choices",
            "base": 20,
            "choices": [
                {"code": "a", "count": 12, "percent": 60.0},
                {"code": "b", "count": 6, "percent": 30.0},
                {"code": "c", "count": 2, "percent": 10.0},
            ],
        }
    )
    a, b, c = shown["choices"]
    assert not a.get("suppressed")
    assert b["suppressed"] and b["complement"]
    assert c["suppressed"] and not c.get("complement")


def zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_one_zip_holds_every_chart_as_svg_and_png_with_its_data(client, bob):
    build_2021()
    client.force_login(bob)
    page = text_of(client.get(reverse("results:edition", args=[2021])))
    assert reverse("results:charts", args=[2021]) in page
    archive = zip_of(client.get(reverse("results:charts", args=[2021])))
    names = sorted(archive.namelist())
    stems = sorted({name.rsplit(".", 1)[0] for name in names})
    assert len(stems) == 6  # single, multiple, matrix, ranking, ETP and budget brackets
    assert stems[0] == "01-service_dedie"
    assert names == sorted(f"{stem}.{ext}" for stem in stems for ext in ("csv", "png", "svg"))
    for stem in stems:
        svg = ElementTree.fromstring(archive.read(f"{stem}.svg"))  # noqa: S314 (our own file)
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        image = Image.open(io.BytesIO(archive.read(f"{stem}.png")))
        assert image.format == "PNG" and image.width == 1920

    data = archive.read("01-service_dedie.csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Libellé", "% des répondants (%)"], ["Oui", "71,4"], ["Non", "28,6"]]
    for label, value in rows[1:]:
        assert f'<th scope="row">{label}</th>' in page and f"{value} %" in page
    assert "71,4 %" in archive.read("01-service_dedie.svg").decode()


def test_the_zip_follows_the_pages_filters(client, bob):
    build_2021()
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021]), {"type": "commune"})
    url = reverse("results:charts", args=[2021]) + "?type=commune"
    assert url in page.content.decode()
    archive = zip_of(client.get(url))
    rows = archive.read("01-service_dedie.csv").decode("utf-8-sig").splitlines()
    assert rows[1:] == ["Oui;80,0", "Non;20,0"]  # 5 communes answered: 4 oui, 1 non


def test_the_public_zip_hides_what_the_public_page_hides(client):
    build_public()
    archive = zip_of(client.get(reverse("results:public-charts", args=[2020])))
    assert "02-peu.csv" not in archive.namelist()  # answered by 4: no chart
    rows = archive.read("01-choix.csv").decode("utf-8-sig").splitlines()
    assert rows[1:] == ["A;50,0", "B;masqué", "C;masqué"]
    assert "masqué" in archive.read("01-choix.svg").decode()


def test_the_zips_are_for_analysts_and_published_editions_only(client):
    build_2021()
    assert client.get(reverse("results:charts", args=[2021])).status_code in (302, 403)
    assert client.get(reverse("results:public-charts", args=[2021])).status_code == 404


def test_an_edition_without_answers_gives_an_empty_zip(client, bob):
    Edition.objects.create(year=2023, title="Baromètre 2023", status="closed")
    client.force_login(bob)
    assert zip_of(client.get(reverse("results:charts", args=[2023]))).namelist() == []


def test_the_breakdown_and_trends_tables_state_their_units(client, bob):
    build_2021()
    client.force_login(bob)
    url = reverse("results:breakdown", args=[2021])
    choices = text_of(client.get(url, {"question": "service_dedie", "par": "type"}))
    assert "Oui (%)" in choices and "Non (%)" in choices
    money = text_of(client.get(url, {"question": "budget_participation", "par": "type"}))
    assert "Moyenne (€)" in money and "Médiane (€)" in money
    build_2018_ranking()
    trends = text_of(client.get(reverse("results:trends", args=[2021])))
    assert "2018 (%)" in trends and "2021 (%)" in trends
