"""The staff preview of a whole edition, as a respondent would see it."""

import pytest
from django.urls import reverse
from lxml import html

from tests.surveys.definition_helpers import import_shipped


def preview(client, year: int):
    return client.get(reverse("backoffice:edition-preview", args=[year]))


def question(page, code: str):
    return page.xpath(f"//*[@data-code='{code}']")[0]


@pytest.fixture
def edition_2021(db):
    return import_shipped(2021)


def test_staff_sees_every_question_of_the_edition(client, alice, edition_2021):
    client.force_login(alice)
    response = preview(client, 2021)
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    shown = {node.get("data-code") for node in page.xpath("//*[@data-code]")}
    assert shown == set(edition_2021.questions.values_list("code", flat=True))
    assert len(page.xpath("//section/h2")) == edition_2021.sections.count()


def test_choices_are_fieldsets_and_matrices_are_tables(client, alice, edition_2021):
    client.force_login(alice)
    page = html.fromstring(preview(client, 2021).content.decode())
    single = question(page, "fonction_repondant")
    assert (
        single.xpath(".//legend")[0]
        .text_content()
        .strip()
        .startswith("Quelle est votre fonction ?")
    )
    assert len(single.xpath(".//input[@type='radio']")) == 5
    label = single.xpath(".//label[@for='fonction_repondant-elu']")[0]
    assert label.text_content().strip() == "Élu·e"
    assert single.xpath(".//*[@id='fonction_repondant-autre-precision']")  # précisez
    matrix = question(page, "objectifs")
    table = matrix.xpath(".//table")[0]
    assert [th.text_content() for th in table.xpath(".//thead//th")] == [
        "Oui, tout à fait",
        "Oui, plutôt",
        "Non, plutôt pas",
        "Non, pas du tout",
        "Ne sait pas",
    ]
    assert len(table.xpath(".//tbody//th[@scope='row']")) == 14
    ranking = question(page, "besoins")
    assert "Classez les 3 propositions les plus importantes" in ranking.text_content()
    money = question(page, "budget_participation")
    assert money.xpath(".//*[@id='budget_participation-nsp']")


def test_conditions_are_shown_as_notes(client, alice, edition_2021):
    client.force_login(alice)
    body = preview(client, 2021).content.decode()
    assert "Page affichée si :</p>" not in body
    elections = "type_collectivite in [commune, intercommunalite, metropole]"
    assert f"Page affichée si : <code>{elections}</code>" in body
    assert "Affichée si : <code>service_dedie = oui</code>" in body
    assert "(proposé si <code>type_collectivite = commune</code>)" in body


def test_a_roster_shows_its_item_questions(client, alice, db):
    import_shipped(2018)
    client.force_login(alice)
    page = html.fromstring(preview(client, 2018).content.decode())
    roster = question(page, "fiches_dispositifs")
    assert "De 0 à 20 éléments" in roster.text_content()
    assert roster.xpath(
        ".//*[@data-code='satisfaction']//input[@id='fiches_dispositifs-1-satisfaction']"
    )
    assert len(roster.xpath(".//*[@data-code]")) == 20


def test_labels_and_ids_are_unique_and_tied(client, alice, db):
    import_shipped(2018)
    client.force_login(alice)
    page = html.fromstring(preview(client, 2018).content.decode())
    ids = [node.get("id") for node in page.xpath("//*[@id]")]
    assert len(ids) == len(set(ids))
    for label in page.xpath("//label[@for]"):
        assert page.get_element_by_id(label.get("for")) is not None


def test_it_is_for_staff_only(client, bob, edition_2021):
    assert preview(client, 2021).status_code == 302
    client.force_login(bob)
    assert preview(client, 2021).status_code == 403


def test_an_unknown_edition_is_not_found(client, alice):
    client.force_login(alice)
    assert preview(client, 1999).status_code == 404


def test_the_staff_home_links_to_the_preview_for_staff_only(client, alice, bob, edition_2021):
    link = reverse("backoffice:edition-preview", args=[2021])
    client.force_login(alice)
    assert link in client.get(reverse("backoffice:home")).content.decode()
    client.force_login(bob)
    assert link not in client.get(reverse("backoffice:home")).content.decode()


@pytest.mark.parametrize(
    ("kind", "elections_shown"),
    [
        ("commune", True),
        ("intercommunalite", True),
        ("metropole", True),
        ("departement", False),
        ("region", False),
    ],
)
def test_staff_preview_the_edition_as_a_kind_of_collectivite_sees_it(
    client, alice, edition_2021, kind, elections_shown
):
    client.force_login(alice)
    response = client.get(reverse("backoffice:edition-preview", args=[2021]), {"type": kind})
    page = html.fromstring(response.content.decode())
    titles = [h.text_content() for h in page.xpath("//section/h2")]
    assert any("élections municipales" in t for t in titles) is elections_shown
    assert bool(page.xpath("//*[@data-code='elections_concernee']")) is elections_shown
    # A question that depends on the answers stays, its condition in note.
    assert page.xpath("//*[@data-code='service_intitule']")
    assert page.xpath("//select[@name='type']/option[@selected]")[0].get("value") == kind


def test_an_unknown_kind_previews_everything(client, alice, edition_2021):
    client.force_login(alice)
    page = html.fromstring(
        client.get(reverse("backoffice:edition-preview", args=[2021]), {"type": "mairie"}).content
    )
    assert len(page.xpath("//section/h2")) == edition_2021.sections.count()
