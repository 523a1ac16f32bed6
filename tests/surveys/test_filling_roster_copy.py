"""Last edition's roster sheets can be taken over into an empty roster, checked like any answer."""

import re

import pytest
from django.urls import reverse

from surveys import filling
from surveys.models import Answer, Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter, section, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(db):
    return build_edition(2030)


@pytest.fixture
def last_year(rennes):
    """Rennes described three sheets in 2029; one answer is no longer accepted in 2030."""
    previous = build_edition(2029)
    old = Response.objects.create(
        edition=previous, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    questions = {q.code: q for q in previous.questions.all()}
    rows = [
        ("fiches_dispositifs", 0, 3),
        ("nom", 1, "Budget participatif"),
        ("synthese", 1, ["publiee"]),
        ("auteur_synthese", 1, ["vie_citoyenne"]),
        ("nom", 2, "Fabrique citoyenne"),
        ("satisfaction", 2, 14),
        ("nom", 3, "Carte des projets"),
        ("synthese", 3, ["retiree_depuis"]),  # not a choice of 2030
    ]
    for code, item, value in rows:
        Answer.objects.create(response=old, question=questions[code], item=item, value=value)
    return old


def roster(response):
    return section(response, "fiches").questions.get(code="fiches_dispositifs")


def test_an_empty_roster_takes_over_last_editions_sheets(edition, rennes, last_year):
    response = filling.response_for(edition, rennes)
    assert filling.roster_offer(response, roster(response)) == (3, 2029)
    assert filling.copy_previous_roster(response, roster(response), response.version) == 3
    assert stored(response, "fiches_dispositifs") == 3
    assert [stored(response, "nom", item) for item in (1, 2, 3)] == [
        "Budget participatif",
        "Fabrique citoyenne",
        "Carte des projets",
    ]
    assert stored(response, "auteur_synthese", 1) == ["vie_citoyenne"]
    assert stored(response, "satisfaction", 2) == 14
    assert stored(response, "synthese", 3) is None  # refused by this edition's question
    # Once the roster has sheets, nothing more is offered, and a second copy is refused.
    assert filling.roster_offer(response, roster(response)) is None
    with pytest.raises(filling.FillingError) as refused:
        filling.copy_previous_roster(response, roster(response), response.version)
    assert refused.value.message.startswith("Il n'y a pas de fiches de l'édition précédente")


def test_the_copy_keeps_to_the_rosters_maximum(edition, rennes, last_year):
    response = filling.response_for(edition, rennes)
    limited = roster(response)
    limited.max_items = 2
    limited.save()
    assert filling.copy_previous_roster(response, limited, response.version) == 2
    assert not Answer.objects.filter(response=response, item=3).exists()


def test_nothing_is_offered_without_a_sent_response_last_edition(edition, rennes, last_year):
    Response.objects.filter(pk=last_year.pk).update(status=Response.Status.DRAFT)
    response = filling.response_for(edition, rennes)
    assert filling.roster_offer(response, roster(response)) is None


def test_the_page_offers_the_sheets_and_its_button_takes_them_over(
    client, edition, rennes, last_year
):
    enter(client, edition, rennes, "rose@rennes.test")
    page_url = reverse("answering:section", args=[2030, "fiches"])
    html = client.get(page_url).content.decode()
    assert "Lors de l'édition 2029, votre collectivité avait rempli 3 fiches" in html
    copy_url = reverse("answering:roster-copy", args=[2030, "fiches", "fiches_dispositifs"])
    assert f'formaction="{copy_url}">Reprendre les fiches de 2029</button>' in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    done = client.post(copy_url, {"version": version})
    assert done.status_code == 302
    assert done.url == f"{page_url}#liste-fiches_dispositifs"
    page = client.get(page_url).content.decode()
    assert "3 fiches reprises de l&#x27;édition précédente" in page
    assert 'value="Fabrique citoyenne"' in page
    assert "Reprendre les fiches" not in page
