"""The follow-up's pictures show the same figures as their tables, on hand-built data."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from lxml import html

from respondents.models import Collectivite, EmailLog, Invitation
from surveys.backoffice import followup, pictures
from surveys.models import Response
from tests.backoffice.conftest import commune, invite, make_contact

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def followup_page(client, user, year=2031):
    client.force_login(user)
    page = client.get(reverse("backoffice:followup", args=[year]))
    assert page.status_code == 200
    return html.fromstring(page.content)


def cells(row) -> list[str]:
    return [cell.text_content().strip() for cell in row.xpath("./th|./td")]


def test_each_departement_of_the_map_says_its_rate_and_matches_its_table_row(
    client, bob, cast, edition
):
    tree = followup_page(client, bob)
    shapes = {p.get("data-code"): p for p in tree.xpath("//svg[@class='france-map']/path")}
    rows = {r.get("data-code"): r for r in tree.xpath("//table[@data-map-table]/tbody/tr")}
    assert len(shapes) == 96 and set(shapes) <= set(rows)
    for code, shape in shapes.items():
        row = rows[code]
        rate, submitted, total = row.xpath("./td")[1:]
        assert shape.get("data-rate") == rate.get("data-value"), code
        assert (shape.get("data-submitted"), shape.get("data-total")) == (
            submitted.text,
            total.text,
        ), code
        assert shape.get("tabindex") == "0" and shape.get("aria-label").startswith(
            row.xpath("./th")[0].text + " : "
        )
    # Rennes sent its response; Brest (Finistère), Vannes (Morbihan), Metz (Moselle) did not;
    # Lorient (Morbihan) is not followed.
    assert shapes["35"].get("aria-label") == "Ille-et-Vilaine : 100 % (1 sur 1)"
    assert shapes["35"].get("class") == "taux-50"
    assert shapes["29"].get("aria-label") == "Finistère : 0 % (0 sur 1)"
    assert shapes["56"].get("aria-label") == "Morbihan : 0 % (0 sur 1)"
    assert shapes["29"].get("class") == "taux-0"
    assert shapes["01"].get("aria-label") == "Ain : aucune collectivité suivie"
    assert shapes["01"].get("class") == "sans-donnee"
    assert cells(rows["35"]) == ["35", "Ille-et-Vilaine", "100 %", "1", "1"]
    legend = [
        li.text_content().split() for li in tree.xpath("//ul[contains(@class,'map-legend')]/li")
    ]
    assert [words[-2].strip("(") for words in legend] == ["3", "0", "0", "1", "92"]


def test_the_rate_classes_follow_the_bounds(edition):
    def css(submitted, total):
        return pictures.Departement("35", "Ille-et-Vilaine", total, submitted).css_class

    assert [css(0, 10), css(1, 10), css(24, 100), css(25, 100), css(1, 2), css(0, 0)] == [
        "taux-0",
        "taux-10",
        "taux-10",
        "taux-25",
        "taux-50",
        "sans-donnee",
    ]


def test_an_overseas_departement_is_in_the_table_only(client, bob, edition):
    saint_denis = Collectivite.objects.create(
        kind="commune", code="97411", name="Saint-Denis", departement_code="974", region_code="04"
    )
    invite(make_contact(saint_denis, "agent@saintdenis.test"), edition)
    tree = followup_page(client, bob)
    assert not tree.xpath("//svg[@class='france-map']/path[@data-code='974']")
    (row,) = tree.xpath("//table[@data-map-table]/tbody/tr[@data-code='974']")
    assert cells(row) == ["974", "La Réunion", "0 %", "0", "1"]


def test_a_collectivite_without_departement_is_counted_in_the_table(client, bob, edition):
    bretagne = Collectivite.objects.create(kind="region", code="53", name="Bretagne")
    invite(make_contact(bretagne, "dgs@bretagne.test"), edition)
    tree = followup_page(client, bob)
    (row,) = tree.xpath("//table[@data-map-table]/tbody/tr[@data-code='']")
    assert cells(row) == ["", "Sans département", "0 %", "0", "1"]


def test_the_bars_show_the_rates_of_their_table(client, bob, cast, edition):
    tree = followup_page(client, bob)
    charts = tree.xpath("//figure[contains(@class,'followup-chart')][table[@data-chart-table]]")
    assert len(charts) == 2
    seen = {}
    for figure in charts:
        spec = json.loads(figure.xpath(".//script[@type='application/json']")[0].text)
        rows = figure.xpath(".//table[@data-chart-table]/tbody/tr")
        assert spec["labels"] == [row.xpath("./th")[0].text for row in rows]
        values = [row.xpath("./td")[0].get("data-value") for row in rows]
        assert [str(v) for v in spec["datasets"][0]["data"]] == values
        seen[spec["title"]] = dict(zip(spec["labels"], spec["datasets"][0]["data"], strict=True))
    assert seen["Taux de réponse par type de collectivité"] == {"Commune": 33.3, "Métropole": 0.0}
    assert seen["Taux de réponse par tranche de population"] == {
        "De 50 000 à 100 000": 0.0,
        "De 100 000 à 500 000": 33.3,
    }


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2031, 3, day, hour, tzinfo=PARIS)


@pytest.fixture
def wave(edition, rennes):
    """Invitations e-mailed on 2 and 3 March (one failed), a link opened on the 3rd and
    another on the 5th, a response created on the 5th and sent on the 6th."""
    brest = commune("Brest", "29019", 139_926)
    invitations = []
    for n, (collectivite, sent_day) in enumerate([(rennes, 2), (brest, 3), (brest, 3)]):
        contact = make_contact(collectivite, f"agent{n}@test.test")
        invitation = invite(contact, edition)
        invitations.append(invitation)
        log = EmailLog.objects.create(
            contact=contact,
            invitation=invitation,
            kind="invitation",
            status="failed" if n == 2 else "sent",
            to_email=contact.email,
        )
        EmailLog.objects.filter(pk=log.pk).update(sent_at=at(sent_day))
    Invitation.objects.filter(pk=invitations[0].pk).update(first_used_at=at(3, 23))
    Invitation.objects.filter(pk=invitations[1].pk).update(first_used_at=at(5))
    response = Response.objects.create(edition=edition, collectivite=rennes)
    response.answers.create(question=edition.questions.get(code="nb_reunions"), value=3)
    Response.objects.filter(pk=response.pk).update(
        created_at=at(5), submitted_at=at(6), status="submitted"
    )
    Response.objects.create(edition=edition, collectivite=brest)  # visited, nothing answered


def test_the_daily_curve_accumulates_each_event_on_its_day(edition, wave):
    curve = pictures.daily_curve(edition)
    assert curve["labels"] == ["02/03", "03/03", "04/03", "05/03", "06/03"]
    assert {d["label"]: d["data"] for d in curve["datasets"]} == {
        "Invitations envoyées (courriels)": [1, 2, 2, 2, 2],
        "Liens ouverts (première ouverture)": [0, 1, 1, 2, 2],
        "Réponses commencées": [0, 0, 0, 1, 1],
        "Réponses envoyées": [0, 0, 0, 0, 1],
    }


def test_the_curve_shows_the_figures_of_its_table(client, bob, edition, wave):
    tree = followup_page(client, bob)
    (figure,) = tree.xpath("//figure[contains(@class,'followup-curve')]")
    spec = json.loads(figure.xpath(".//script[@type='application/json']")[0].text)
    rows = [cells(row) for row in figure.xpath(".//table/tbody/tr")]
    assert [row[0][:5] for row in rows] == spec["labels"]
    for column, dataset in enumerate(spec["datasets"], start=1):
        assert [int(row[column]) for row in rows] == dataset["data"]


def test_an_edition_without_events_has_no_curve_but_says_so(client, bob, edition):
    tree = followup_page(client, bob)
    (figure,) = tree.xpath("//figure[contains(@class,'followup-curve')]")
    assert "Rien encore" in figure.text_content() and not figure.xpath(".//canvas")


def test_each_picture_costs_one_query(cast, edition, django_assert_num_queries):
    _overall, breakdowns = followup.all_figures(edition)
    pictures.france_map()  # read once per process, from the static file
    with django_assert_num_queries(2):
        pictures.pictures(edition, breakdowns)
