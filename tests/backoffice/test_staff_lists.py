"""The back-office lists: search by name or code, the shared filters, sortable columns, pages
that keep the filters, and wrong input answered in French."""

import re

import pytest
from django.urls import reverse

from respondents.models import AccessRequest, Collectivite, PostalCode
from surveys.models import Response
from tests.backoffice.conftest import commune, make_contact


def _responses(client, **params) -> str:
    return client.get(reverse("backoffice:responses", args=[2031]), params).content.decode()


def _listed(html: str) -> list[str]:
    """The collectivités named in the rows of the list, in their order."""
    return re.findall(r'<a href="/equipe/reponses/\d+/">([^<]+)</a>', html)


@pytest.mark.parametrize("query", ["rennes", "Rennes", "RENNES", " rennes ", "35238", "213502388"])
def test_it_finds_rennes_response_by_name_or_code(client, alice, cast, query):
    client.force_login(alice)
    assert _listed(_responses(client, q=query)) == ["Rennes"]


def test_it_finds_a_name_whatever_its_accents(client, alice, edition):
    client.force_login(alice)
    Response.objects.create(edition=edition, collectivite=commune("Évreux", "27229", 46_000))
    Response.objects.create(edition=edition, collectivite=commune("Saint-Étienne", "42218", 1))
    assert _listed(_responses(client, q="evreux")) == ["Évreux"]
    assert _listed(_responses(client, q="SAINT ETIENNE")) == ["Saint-Étienne"]
    assert _listed(_responses(client, q="étienne")) == ["Saint-Étienne"]


def test_a_search_that_finds_nobody_says_so(client, alice, cast):
    client.force_login(alice)
    html = _responses(client, q="Tombouctou")
    assert _listed(html) == []
    assert "Aucune réponse ne correspond aux filtres." in html


def test_it_does_not_list_another_editions_responses(client, alice, cast, rennes):
    from tests.surveys.factories import build_edition

    other = build_edition(2032)
    Response.objects.create(edition=other, collectivite=commune("Quimper", "29232", 63_000))
    client.force_login(alice)
    assert "Quimper" not in _responses(client)
    assert _listed(_responses(client, q="quimper")) == []


def test_it_filters_by_type_bracket_region_and_status(client, alice, cast, edition, metz_metropole):
    Response.objects.create(edition=edition, collectivite=metz_metropole)
    client.force_login(alice)
    assert _listed(_responses(client, type="metropole")) == ["Metz Métropole"]
    assert _listed(_responses(client, type="commune")) == ["Rennes", "Vannes"]
    assert _listed(_responses(client, tranche="50k_100k")) == ["Vannes"]
    assert _listed(_responses(client, region="44")) == ["Metz Métropole"]
    assert _listed(_responses(client, statut="submitted")) == ["Rennes"]
    assert _listed(_responses(client, statut="draft", region="53")) == ["Vannes"]


def test_columns_sort_both_ways_and_say_so(client, alice, cast):
    client.force_login(alice)
    assert _listed(_responses(client)) == ["Rennes", "Vannes"]
    descending = _responses(client, tri="-collectivite")
    assert _listed(descending) == ["Vannes", "Rennes"]
    assert 'aria-sort="descending"' in descending
    by_population = _responses(client, tri="-population")
    assert _listed(by_population) == ["Rennes", "Vannes"]
    assert _listed(_responses(client, tri="population")) == ["Vannes", "Rennes"]


def test_an_unknown_sort_falls_back_to_the_name(client, alice, cast):
    client.force_login(alice)
    html = _responses(client, tri="pk; DROP TABLE")
    assert _listed(html) == ["Rennes", "Vannes"]


def test_pages_keep_the_filters_and_the_sort(client, alice, edition):
    for n in range(55):
        Response.objects.create(
            edition=edition, collectivite=commune(f"Commune {n:02}", f"35{n:03}", 1000 + n)
        )
    client.force_login(alice)
    html = _responses(client, q="commune", region="53", tri="-population")
    assert len(_listed(html)) == 50
    assert "q=commune&amp;region=53&amp;tri=-population&amp;page=2" in html
    second = _responses(client, q="commune", region="53", tri="-population", page=2)
    assert _listed(second) == [f"Commune {n:02}" for n in range(4, -1, -1)]


@pytest.mark.parametrize(
    "params",
    [
        {"type": "village"},
        {"region": "99"},
        {"tranche": "énorme"},
        {"statut": "perdu"},
        {"q": "x" * 500},
    ],
)
def test_a_wrong_filter_is_explained_in_french_and_filters_nothing(client, alice, cast, params):
    client.force_login(alice)
    page = client.get(reverse("backoffice:responses", args=[2031]), params)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Le formulaire contient des erreurs" in html
    assert _listed(html) == ["Rennes", "Vannes"]


def test_a_stray_byte_in_the_search_is_dropped_and_the_search_still_works(client, alice, cast):
    client.force_login(alice)
    page = client.get("/equipe/editions/2031/reponses/?q=Ren%00nes&type=%00")
    assert page.status_code == 200
    assert _listed(page.content.decode()) == ["Rennes"]


def test_the_collectivites_list_shows_survey_words_and_french_numbers(client, alice, cast):
    Collectivite.objects.create(
        kind="epci",
        code="200046977",
        siren="200046977",
        name="Métropole de Lyon",
        epci_type="MET69",
        population=1_411_571,
        region_code="84",
    )
    Collectivite.objects.create(
        kind="epci",
        code="243500139",
        siren="243500139",
        name="Rennes Métropole",
        epci_type="METRO",
        population=472_000,
        region_code="53",
    )
    Collectivite.objects.create(
        kind="epci",
        code="200067932",
        siren="200067932",
        name="CA du Pays de Vannes",
        epci_type="CA",
        population=170_000,
        region_code="53",
    )
    client.force_login(alice)
    html = client.get(reverse("backoffice:collectivites")).content.decode()
    assert "1\u202f411\u202f571" in html
    assert "EPCI (" not in html
    assert "Métropole <small" in html
    assert '<abbr title="Communauté d&#x27;agglomération">CA</abbr>' in html
    found = client.get(reverse("backoffice:collectivites"), {"q": "rennes"}).content.decode()
    assert "Rennes Métropole" in found and "Vannes" not in found
    PostalCode.objects.create(collectivite=cast["rennes"].collectivite, code="35200")
    by_postcode = client.get(reverse("backoffice:collectivites"), {"q": "35200"}).content.decode()
    assert ">Rennes</a>" in by_postcode and "Rennes Métropole" not in by_postcode


def test_the_access_requests_list_is_searchable(client, alice, edition, rennes, metz_metropole):
    for collectivite, email in ((rennes, "a@rennes.test"), (metz_metropole, "b@metz.test")):
        AccessRequest.objects.create(
            edition=edition,
            collectivite=collectivite,
            email=email,
            first_name="Agnès",
            last_name="Varda",
        )
    client.force_login(alice)
    url = reverse("backoffice:access-requests")
    assert "a@rennes.test" in client.get(url).content.decode()
    html = client.get(url, {"q": "METZ"}).content.decode()
    assert "b@metz.test" in html and "a@rennes.test" not in html
    by_email = client.get(url, {"q": "a@rennes"}).content.decode()
    assert "a@rennes.test" in by_email and "b@metz.test" not in by_email
    decided = client.get(url, {"statut": "refused"}).content.decode()
    assert "Aucune demande." in decided


def test_the_contacts_list_finds_a_person_or_a_collectivite(client, alice, cast):
    client.force_login(alice)
    url = reverse("backoffice:contacts")
    by_code = client.get(url, {"q": "56260"}).content.decode()
    assert "val@vannes.test" in by_code and "rose@rennes.test" not in by_code
    by_email = client.get(url, {"q": "rose@"}).content.decode()
    assert "rose@rennes.test" in by_email and "val@vannes.test" not in by_email


def test_the_invitations_list_uses_the_shared_filters(client, alice, cast):
    client.force_login(alice)
    url = reverse("backoffice:invitations", args=[2031])
    html = client.get(url, {"q": "brest"}).content.decode()
    assert 'id="filtre-q"' in html and ">Brest</a>" in html and ">Vannes</a>" not in html
    assert "1 collectivité correspond aux filtres" in html


def test_the_edition_menu_lists_every_screen_and_marks_the_current_one(client, alice, cast):
    client.force_login(alice)
    html = _responses(client)
    menu = html[html.index("Écrans de l'édition") : html.index("</nav>", html.index("Écrans"))]
    for screen in (
        "Cycle de vie",
        "Suivi",
        "Réponses",
        "Saisie papier",
        "Invitations",
        "Relances",
        "Aperçu",
        "Résultats",
        "Exports",
    ):
        assert f">{screen}</a>" in menu
    assert menu.count('aria-current="page"') == 1
    assert re.search(r'active" aria-current="page" href="/equipe/editions/2031/reponses/"', menu)


def test_a_contact_is_never_shown_with_an_iso_timestamp(client, alice, cast):
    client.force_login(alice)
    contact = cast["rennes"]
    html = client.get(reverse("backoffice:contact-privacy", args=[contact.pk])).content.decode()
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", html)
    assert " à " in html and " h " in html


def test_it_names_a_new_contacts_collectivite_kind(db, rennes):
    make_contact(rennes, "x@rennes.test")
    from respondents.templatetags.collectivites import type_collectivite

    assert type_collectivite(rennes) == "Commune"


def test_the_type_column_sorts_in_the_surveys_order(client, alice, rennes, metz_metropole):
    Collectivite.objects.create(kind="region", code="53", name="Bretagne", region_code="53")
    Collectivite.objects.create(kind="departement", code="35", name="Ille-et-Vilaine")
    Collectivite.objects.create(
        kind="epci", code="200067932", siren="200067932", name="Vannes agglo", epci_type="CA"
    )
    client.force_login(alice)
    url = reverse("backoffice:collectivites")
    names = re.findall(r'<a href="/equipe/collectivites/\d+/">([^<]+)</a>', _html(client, url))
    assert names == ["Rennes", "Vannes agglo", "Metz Métropole", "Ille-et-Vilaine", "Bretagne"]
    backwards = re.findall(
        r'<a href="/equipe/collectivites/\d+/">([^<]+)</a>', _html(client, url, tri="-type")
    )
    assert backwards == names[::-1]


def _html(client, url, **params) -> str:
    return client.get(url, {"tri": "type", **params}).content.decode()
